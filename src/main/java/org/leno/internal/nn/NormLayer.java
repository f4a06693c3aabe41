package org.leno.internal.nn;

import org.bytedeco.pytorch.Tensor;

/** A BatchNorm2d registered in its parent module, its forward timed when the layers are profiled. */
public final class NormLayer {
    private final BatchNorm impl;
    private final Layers layers;

    NormLayer(BatchNorm impl, Layers layers) {
        this.impl = impl;
        this.layers = layers;
    }

    public Tensor forward(Tensor x) {
        OpProfile profile = layers.profile();
        long start = profile.start();
        return profile.forward("batch_norm", start, impl.forward(x));
    }

    public BatchNorm module() { return impl; }

    public Tensor weight() { return impl.weight(); }
}
