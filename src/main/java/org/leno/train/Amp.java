package org.leno.train;

import java.util.Locale;

/** Mixed precision of the training step: none (fp32) or autocast to bfloat16. */
public enum Amp {
    NONE,
    BF16;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
