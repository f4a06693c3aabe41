package org.leno.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.leno.internal.nn.Container;
import org.leno.internal.nn.Layers;

/** One bottleneck residual block. */
public abstract class ResidualBlock extends Container {
    private final boolean transition;
    /** The network's layers: its weightless operators (ReLU, addition, pooling) are called through them. */
    protected final Layers ops;

    protected ResidualBlock(Layers ops, boolean transition) {
        super("Bottleneck");
        this.ops = ops;
        this.transition = transition;
    }

    public abstract Tensor forward(Tensor x);

    /** True for a block that changes resolution or width (it has a projection shortcut). */
    public boolean transition() { return transition; }

    /** Makes the residual branch output zero, so the block starts as (close to) its shortcut. */
    abstract void zeroInitResidual();
}
