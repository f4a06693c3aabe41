package org.leno.internal.nn;

import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** The configuration a live call is about to compute, as {@link KernelGuard} keys it. */
public final class KernelRouting {
    private KernelRouting() {
    }

    /** The precision libtorch will compute in: autocast's, else the input's; null for what is never routed (GPU, float64). */
    public static KernelShape.Precision precisionOf(Tensor x) {
        if (x.is_cuda()) {
            return null;
        }
        if (torch.is_autocast_enabled(torch.DeviceType.CPU)) {
            return torch.get_autocast_dtype(torch.DeviceType.CPU).value == ScalarType.BFloat16.value
                    ? KernelShape.Precision.BF16 : null;
        }
        if (Tensors.is(x, ScalarType.BFloat16)) {
            return KernelShape.Precision.BF16;
        }
        return Tensors.is(x, ScalarType.Float) ? KernelShape.Precision.FP32 : null;
    }

    static KernelShape shapeOf(Tensor x, ConvLayer c) {
        return conv(x, c.module().weight(), c.kernel(), c.stride(), c.pad(), c.bias());
    }

    /** A convolution of {@code x} with {@code weight}; null if it is never routed. */
    public static KernelShape conv(Tensor x, Tensor weight, long kernel, long stride, long pad, boolean bias) {
        KernelShape.Precision p = precisionOf(x);
        if (p == null) {
            return null;
        }
        boolean backward = GradMode.is_enabled() && (weight.requires_grad() || x.requires_grad());
        return KernelShape.conv(kernel, stride, pad, weight.size(1), weight.size(0), bias, x.size(0), x.size(2), x.size(3),
                p, Tensors.strides(x), Tensors.strides(weight), backward, torch.get_num_threads());
    }

    /** A linear layer on {@code x} (batch x in); null if it is never routed. */
    public static KernelShape linear(Tensor x, Tensor weight, boolean bias) {
        KernelShape.Precision p = precisionOf(x);
        if (p == null) {
            return null;
        }
        boolean backward = GradMode.is_enabled() && (weight.requires_grad() || x.requires_grad());
        return KernelShape.linear(weight.size(1), weight.size(0), bias, x.size(0), p, backward, torch.get_num_threads());
    }

    public static ScalarType type(KernelShape shape) {
        return shape.precision() == KernelShape.Precision.BF16 ? ScalarType.BFloat16 : ScalarType.Float;
    }

    /**
     * Zeros shaped and strided like the output of a convolution of {@code x} with {@code weight}, for
     * a trace: channels-last strides when either is channels-last (libtorch's rule), else contiguous.
     */
    static Tensor emptyOutput(Tensor x, Tensor weight, KernelShape shape) {
        return outputLike(x, weight, new long[] {x.size(0), shape.out(), shape.outHeight(), shape.outWidth()}, type(shape)).zero_();
    }

    /** An uninitialised convolution output of {@code sizes}, laid out as libtorch lays out its own. */
    static Tensor outputLike(Tensor x, Tensor weight, long[] sizes, ScalarType type) {
        boolean channelsLast = Tensors.channelsLastLike(x) || Tensors.channelsLastLike(weight);
        return torch.empty_strided(sizes, KernelShape.strides(sizes[1], sizes[2], sizes[3], channelsLast),
                new TensorOptions(type));
    }

    /** The operator's name in a profile. */
    static String operator(KernelPath path) {
        return switch (path) {
            case LIBTORCH -> "conv2d";
            case MATRIX_PRODUCT -> "matmul";
            case NO_ONEDNN -> "thnn_conv2d";
            case FLOAT64 -> "conv2d float64";
        };
    }
}
