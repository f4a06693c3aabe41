package org.leno.model;

import java.util.Arrays;
import java.util.Optional;

/** The three model families, by the name the reference's {@code -a/--arch} flag uses. */
public enum Arch {
    RESNET("resnet", "ResNet"),
    PREACTRESNET("preactresnet", "pre-act ResNet"),
    LENORESNET("lenoresnet", "LeNo-ResNet");

    private final String id;
    private final String displayName;

    Arch(String id, String displayName) {
        this.id = id;
        this.displayName = displayName;
    }

    public String id() { return id; }

    public String displayName() { return displayName; }

    public static Optional<Arch> byId(String id) {
        return Arrays.stream(values()).filter(a -> a.id.equalsIgnoreCase(id)).findFirst();
    }

    @Override
    public String toString() { return id; }
}
