package org.leno.internal.predict;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.leno.internal.model.Arch;

/** Values given by flags (or by code) that win over the model card's; empty = not given. */
public record Overrides(Optional<Arch> arch, OptionalInt depth, OptionalInt nClasses, OptionalInt valResize,
                        OptionalInt valCrop, Optional<List<String>> classNames) {
    public static Overrides none() {
        return new Overrides(Optional.empty(), OptionalInt.empty(), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), Optional.empty());
    }
}
