package org.leno.internal.nn;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * A Conv2d registered in its parent module, remembering the size of its last output to count MACs;
 * its forward is timed when the layers are profiled.
 */
public final class ConvLayer {
    /**
     * A 1x1 stride-1 convolution without padding or bias of a bfloat16 channels-last input of at most
     * this many pixels per image runs as one matrix product over the pixels: there libtorch's bf16
     * matrix product, forward and backward, beats its bf16 convolution by 1.02-3.7x (7x7 down to 2x2
     * maps; at 8x8 and above the convolution is as fast or faster; docs/performance.md).
     */
    static final long MATMUL_MAX_PIXELS = 49;

    private final Conv2dImpl impl;
    private final Layers layers;
    private final long in;
    private final long out;
    private final long kernel;
    private final long stride;
    private final long pad;
    private final boolean bias;
    private final long macsPerPixel;
    /** For a profile: the operator, kernel and stride ("conv2d 3x3 stride 2"). */
    private final String name;
    private long lastOutputPixels;

    ConvLayer(Conv2dImpl impl, Layers layers, long in, long out, long kernel, long stride, long pad, boolean bias) {
        this.impl = impl;
        this.layers = layers;
        this.in = in;
        this.out = out;
        this.kernel = kernel;
        this.stride = stride;
        this.pad = pad;
        this.bias = bias;
        this.macsPerPixel = in * out * kernel * kernel;
        this.name = kernel + "x" + kernel + " stride " + stride;
    }

    /**
     * The convolution on the path {@link KernelGuard} verified for this configuration on this machine
     * (while the network is traced, only zeros of the output's shape: {@link VerifiedKernels#verify}).
     */
    public Tensor forward(Tensor x) {
        VerifiedKernels kernels = layers.kernels();
        OpProfile profile = layers.profile();
        long start = profile.start();
        Tensor y = kernels.conv(x, impl.weight(), bias ? impl.bias() : null, stride, pad, () -> impl.forward(x));
        lastOutputPixels = y.size(2) * y.size(3);
        if (kernels.tracing()) {
            return y;
        }
        if (profile.enabled()) {
            KernelPath path = kernels.route(KernelRouting.shapeOf(x, this));
            y = profile.forwardNamed(KernelRouting.operator(path) + " " + name, start, y);
        }
        return y;
    }

    long in() { return in; }

    long out() { return out; }

    long kernel() { return kernel; }

    long stride() { return stride; }

    long pad() { return pad; }

    boolean bias() { return bias; }

    public Conv2dImpl module() { return impl; }

    public Tensor weight() { return impl.weight(); }

    /** Multiply-accumulates per image in the last forward pass. */
    public long lastMacs() { return lastOutputPixels * macsPerPixel; }
}
