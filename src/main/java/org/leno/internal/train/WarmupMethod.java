package org.leno.internal.train;

import java.util.Locale;

/** Warm-up as torchvision's train.py builds it: LinearLR from the decay factor up to 1, or ConstantLR at the factor. */
public enum WarmupMethod {
    LINEAR,
    CONSTANT;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
