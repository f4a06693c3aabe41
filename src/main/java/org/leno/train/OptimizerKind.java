package org.leno.train;

import java.util.Locale;

/** The optimizers of `leno train`: torch.optim.SGD (the reference's) and torch.optim.AdamW. */
public enum OptimizerKind {
    SGD,
    ADAMW;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
