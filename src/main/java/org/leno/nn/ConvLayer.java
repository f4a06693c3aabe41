package org.leno.nn;

import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

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
    private final long macsPerPixel;
    private final boolean pointwise;
    /** For a profile: the operator, kernel and stride ("conv2d 3x3 stride 2"). */
    private final String name;
    private long lastOutputPixels;

    ConvLayer(Conv2dImpl impl, Layers layers, long in, long out, long kernel, long stride, long pad, boolean bias) {
        this.impl = impl;
        this.layers = layers;
        this.in = in;
        this.out = out;
        this.macsPerPixel = in * out * kernel * kernel;
        this.pointwise = kernel == 1 && stride == 1 && pad == 0 && !bias;
        this.name = "conv2d " + kernel + "x" + kernel + " stride " + stride;
    }

    public Tensor forward(Tensor x) {
        OpProfile profile = layers.profile();
        long start = profile.start();
        Tensor y = runsAsMatrixProduct(x) ? matrixProduct(x, profile, start) : profile.forwardNamed(name, start, impl.forward(x));
        lastOutputPixels = y.size(2) * y.size(3);
        return y;
    }

    private boolean runsAsMatrixProduct(Tensor x) {
        return pointwise && Tensors.is(x, torch.ScalarType.BFloat16) && !x.is_cuda()
                && x.size(2) * x.size(3) <= MATMUL_MAX_PIXELS && x.is_contiguous(torch.MemoryFormat.ChannelsLast);
    }

    /** The convolution as (N·H·W x in) times (in x out): a channels-last input is already that matrix. */
    private Tensor matrixProduct(Tensor x, OpProfile profile, long start) {
        long n = x.size(0);
        long h = x.size(2);
        long w = x.size(3);
        Tensor weight = impl.weight().to(torch.ScalarType.BFloat16).view(out, in).t();
        Tensor product = profile.forwardNamed("matmul 1x1 stride 1", start, x.permute(0, 2, 3, 1).reshape(-1, in).mm(weight));
        return product.view(n, h, w, out).permute(0, 3, 1, 2);
    }

    public Conv2dImpl module() { return impl; }

    public Tensor weight() { return impl.weight(); }

    /** Multiply-accumulates per image in the last forward pass. */
    public long lastMacs() { return lastOutputPixels * macsPerPixel; }
}
