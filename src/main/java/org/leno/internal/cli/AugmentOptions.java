package org.leno.internal.cli;

import org.leno.internal.config.Flags;
import org.leno.internal.data.augment.Augmentation;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The augmentation flags, as the Augmentation record declares them, for a command that builds a
 * training transform outside {@code train}: name its {@code modelTransformer = AugmentOptions.class}
 * and read them back with {@link #augmentation}.
 */
final class AugmentOptions implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
        Flags.of(Augmentation.class).addTo(spec);
        return spec;
    }

    /** The parsed augmentation flags of {@code spec}. */
    static Augmentation augmentation(CommandSpec spec) {
        return Flags.in(spec, Augmentation.class).build();
    }
}
