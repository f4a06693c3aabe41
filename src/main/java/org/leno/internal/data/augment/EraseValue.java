package org.leno.internal.data.augment;

import java.util.Locale;

/** What random erasing writes: 0 (torchvision's default, and its classification reference's) or per-pixel N(0, 1) values ({@code value="random"}). */
public enum EraseValue {
    ZERO, RANDOM;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
