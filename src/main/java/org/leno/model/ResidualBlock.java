package org.leno.model;

import org.leno.nn.Container;
import org.bytedeco.pytorch.Tensor;

/** One bottleneck residual block. */
public abstract class ResidualBlock extends Container {
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
