package org.leno.model;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** One bottleneck residual block. */
public abstract class ResidualBlock extends Module {
    private final boolean transition;

    protected ResidualBlock(boolean transition) {
        super("Bottleneck");
        this.transition = transition;
    }

    public abstract Tensor forward(Tensor x);

    /** True for a block that changes resolution or width (it has a projection shortcut). */
    public boolean transition() { return transition; }

    /** Makes the residual branch output zero, so the block starts as (close to) its shortcut. */
    abstract void zeroInitResidual();
}
