package org.leno.nn;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A Conv2d registered in its parent module, remembering the size of its last output to count MACs;
 * its forward is timed when the layers are profiled.
 */
public final class ConvLayer {
    private final Conv2dImpl impl;
    private final Layers layers;
    private final long macsPerPixel;
    /** For a profile: the operator, kernel and stride ("conv2d 3x3 stride 2"). */
    private final String name;
    private long lastOutputPixels;

    ConvLayer(Conv2dImpl impl, Layers layers, long in, long out, long kernel, long stride) {
        this.impl = impl;
        this.layers = layers;
        this.macsPerPixel = in * out * kernel * kernel;
        this.name = "conv2d " + kernel + "x" + kernel + " stride " + stride;
    }

    public Tensor forward(Tensor x) {
        OpProfile profile = layers.profile();
        long start = profile.start();
        Tensor y = profile.forwardNamed(name, start, impl.forward(x));
        lastOutputPixels = y.size(2) * y.size(3);
        return y;
    }

    public Conv2dImpl module() { return impl; }

    public Tensor weight() { return impl.weight(); }

    /** Multiply-accumulates per image in the last forward pass. */
    public long lastMacs() { return lastOutputPixels * macsPerPixel; }
}
