package org.leno.internal.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Builds and registers the layers of one network, keeping its convolutions so that the network can
 * count its multiply-accumulates. Convolution weights get the reference init: Kaiming-normal with
 * fan_out and ReLU gain; BatchNorm keeps weight 1, bias 0, eps 1e-5, momentum 0.1. The network's
 * weightless operators (ReLU, addition, pooling) go through here too, so that a profile sees every
 * forward operator.
 */
public final class Layers {
    private final List<ConvLayer> convs = new ArrayList<>();
    private final List<BatchNorm> batchNorms = new ArrayList<>();
    private final VerifiedKernels kernels = new VerifiedKernels(KernelGuard.shared());
    private OpProfile profile = OpProfile.none();

    public ConvLayer conv(Container parent, String name, long in, long out, long kernel, long stride, long pad,
                          boolean bias) {
        Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(kernel, kernel));
        o.stride().put(new LongPointer(stride, stride));
        o.padding().put(new LongPointer(pad, pad));
        o.bias().put(bias);
        Conv2dImpl conv = parent.add(name, new Conv2dImpl(o));
        torch.normal_(conv.weight(), 0, Math.sqrt(2.0 / (out * kernel * kernel)));
        ConvLayer layer = new ConvLayer(conv, this, in, out, kernel, stride, pad, bias);
        convs.add(layer);
        return layer;
    }

    public ConvLayer conv1x1(Container parent, String name, long in, long out, long stride) {
        return conv(parent, name, in, out, 1, stride, 0, false);
    }

    public ConvLayer conv3x3(Container parent, String name, long in, long out, long stride) {
        return conv(parent, name, in, out, 3, stride, 1, false);
    }

    /** libtorch's BatchNorm2d, whose statistics can be synchronised over processes (--sync-bn). */
    public NormLayer batchNorm(Container parent, String name, long channels) {
        BatchNorm bn = parent.add(name, new BatchNorm(channels));
        batchNorms.add(bn);
        return new NormLayer(bn, this);
    }

    public LinearImpl linear(Container parent, String name, long in, long out) {
        return parent.add(name, new LinearImpl(in, out));
    }

    /** The linear layer {@code fc} on {@code x}, on its verified path. */
    public Tensor linear(LinearImpl fc, Tensor x) {
        long start = profile.start();
        Tensor y = kernels.linear(x, fc.weight(), fc.bias(), () -> fc.forward(x));
        return kernels.tracing() ? y : profile.forward("linear", start, y);
    }

    /** This network's convolutions and linear layers on the paths verified on this machine. */
    public VerifiedKernels kernels() { return kernels; }

    public List<BatchNorm> batchNorms() {
        return Collections.unmodifiableList(batchNorms);
    }

    public List<ConvLayer> convs() {
        return Collections.unmodifiableList(convs);
    }

    /** Records this network's forward operators into {@code p} (or, with {@link OpProfile#none()}, nowhere). */
    public void profile(OpProfile p) {
        profile = p;
    }

    OpProfile profile() { return profile; }

    public Tensor relu(Tensor x) {
        long start = profile.start();
        return profile.forward("relu", start, torch.relu(x));
    }

    /**
     * ReLU in place: for a tensor that no backward function saved (the output of a BatchNorm, a
     * convolution or an addition), as torchvision's {@code ReLU(inplace=True)}. Saves allocating
     * and writing a new activation; the values and gradients are the same. Returns {@code x}
     * itself, the handle its caller owns (the binding's returned reference is not one).
     */
    public Tensor reluInPlace(Tensor x) {
        long start = profile.start();
        x.relu_();
        return profile.forward("relu_", start, x);
    }

    public Tensor add(Tensor a, Tensor b) {
        long start = profile.start();
        return profile.forward("add", start, torch.add(a, b));
    }

    /** {@code into += other}, for an {@code into} that no backward function saved; returns {@code into}. */
    public Tensor addInPlace(Tensor into, Tensor other) {
        long start = profile.start();
        into.add_(other);
        return profile.forward("add_", start, into);
    }

    /** The 3x3, stride-2, padding-1 max-pooling of ResNet's stem and LeNo's projection shortcut. */
    public Tensor maxPool3x3s2(Tensor x) {
        long start = profile.start();
        return profile.forward("max_pool2d", start, torch.max_pool2d(x, new long[] {3, 3}, new long[] {2, 2},
                new long[] {1, 1}, new long[] {1, 1}, false));
    }

    /** Any other forward operator, timed under {@code name}. */
    public Tensor op(String name, Supplier<Tensor> body) {
        long start = profile.start();
        return profile.forward(name, start, body.get());
    }
}
