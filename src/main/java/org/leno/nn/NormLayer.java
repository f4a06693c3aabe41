package org.leno.nn;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Tensor;

/** A BatchNorm2d registered in its parent module, its forward timed when the layers are profiled. */
public final class NormLayer {
    private final BatchNorm2dImpl impl;
    private final Layers layers;

    NormLayer(BatchNorm2dImpl impl, Layers layers) {
        this.impl = impl;
        this.layers = layers;
    }

    public Tensor forward(Tensor x) {
        OpProfile profile = layers.profile();
        long start = profile.start();
        return profile.forward("batch_norm", start, impl.forward(x));
    }

    public BatchNorm2dImpl module() { return impl; }

    public Tensor weight() { return impl.weight(); }
}
