package org.leno.internal.nn;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The ways a convolution or linear layer can be computed. {@link #LIBTORCH} is libtorch's own
 * choice, which on a CPU means oneDNN for fp32 and bf16; the others avoid oneDNN's convolutions and
 * are what a configuration falls back to when oneDNN crashes or computes it wrongly on this machine.
 * Every path is differentiable: autograd runs its backward.
 */
public enum KernelPath {
    /** {@code conv2d} / {@code linear}: oneDNN on a CPU. */
    LIBTORCH("libtorch (oneDNN)"),
    /** A 1x1 convolution without padding as one matrix product over the (strided) pixels. */
    MATRIX_PRODUCT("1x1 as matmul"),
    /** {@code thnn_conv2d}: im2col and a matrix product, libtorch's convolution without oneDNN. */
    NO_ONEDNN("thnn_conv2d (no oneDNN)"),
    /** Computed in float64 (never oneDNN) and rounded back: slow, right everywhere. */
    FLOAT64("float64");

    private final String label;

    KernelPath(String label) {
        this.label = label;
    }

    public String label() { return label; }

    /**
     * The paths to try for {@code shape}, best first: libtorch's own convolution, except for the
     * small bf16 1x1 maps where a matrix product is faster (at most {@code matmulMaxPixels} pixels;
     * docs/performance.md); then the fallbacks, the fastest first.
     */
    public static List<KernelPath> candidates(KernelShape shape, long matmulMaxPixels) {
        List<KernelPath> paths = new ArrayList<>();
        if (shape.op() == KernelShape.Op.LINEAR) {
            return List.of(LIBTORCH, FLOAT64);
        }
        boolean smallBf16Pointwise = shape.pointwise() && shape.stride() == 1 && !shape.bias()
                && shape.precision() == KernelShape.Precision.BF16
                && (shape.channelsLast() || shape.height() * shape.width() == 1)
                && shape.height() * shape.width() <= matmulMaxPixels;
        if (smallBf16Pointwise) {
            paths.add(MATRIX_PRODUCT);
        }
        paths.add(LIBTORCH);
        if (shape.pointwise() && !paths.contains(MATRIX_PRODUCT)) {
            paths.add(MATRIX_PRODUCT);
        }
        paths.add(NO_ONEDNN);
        paths.add(FLOAT64);
        return paths;
    }

    /**
     * The convolution of {@code x} with {@code weight} (and {@code bias}, may be null) on this path,
     * in {@code type} (what autocast would pick, or the input's own type).
     */
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, long stride, long pad, ScalarType type) {
        long[] strides = {stride, stride};
        long[] pads = {pad, pad};
        return switch (this) {
            case LIBTORCH -> torch.conv2d(x, weight, optional(bias), strides, pads, new long[] {1, 1}, 1);
            case MATRIX_PRODUCT -> pointwiseProduct(x, weight, bias, stride, type);
            case NO_ONEDNN -> torch.thnn_conv2d(x.to(type).contiguous(), weight.to(type).contiguous(),
                    new long[] {weight.size(2), weight.size(3)}, optional(bias == null ? null : bias.to(type)), strides, pads);
            case FLOAT64 -> layoutOf(x, weight, torch.conv2d(x.to(ScalarType.Double), weight.to(ScalarType.Double),
                    optional(bias == null ? null : bias.to(ScalarType.Double)), strides, pads, new long[] {1, 1}, 1), type);
        };
    }

    /** {@code x W^T + b} on this path ({@link #LIBTORCH} or {@link #FLOAT64}), in {@code type}. */
    public Tensor linear(Tensor x, Tensor weight, Tensor bias, ScalarType type) {
        return switch (this) {
            case LIBTORCH -> torch.linear(x, weight, optional(bias));
            case FLOAT64 -> torch.linear(x.to(ScalarType.Double), weight.to(ScalarType.Double),
                    optional(bias == null ? null : bias.to(ScalarType.Double))).to(type);
            default -> throw new IllegalArgumentException(label + " computes no linear layer");
        };
    }

    /** A 1x1 convolution as (N·H'·W' x in) times (in x out); a channels-last input is already that matrix. */
    private static Tensor pointwiseProduct(Tensor x, Tensor weight, Tensor bias, long stride, ScalarType type) {
        Tensor input = stride == 1 ? x : x.slice(2, new LongOptional(), new LongOptional(), stride)
                .slice(3, new LongOptional(), new LongOptional(), stride);
        long n = input.size(0);
        long h = input.size(2);
        long w = input.size(3);
        long in = weight.size(1);
        long out = weight.size(0);
        Tensor matrix = input.to(type).permute(0, 2, 3, 1).reshape(-1, in);
        Tensor weights = weight.to(type).view(out, in).t();
        Tensor product = bias == null ? matrix.mm(weights) : torch.addmm(bias.to(type), matrix, weights);
        return product.view(n, h, w, out).permute(0, 3, 1, 2);
    }

    /** {@code y} in {@code type}, laid out as libtorch's own convolution of {@code x} and {@code weight} would be. */
    private static Tensor layoutOf(Tensor x, Tensor weight, Tensor y, ScalarType type) {
        return KernelRouting.outputLike(x, weight, Tensors.shape(y), type).copy_(y);
    }

    private static TensorOptional optional(Tensor t) {
        return t == null ? new TensorOptional() : new TensorOptional(t);
    }
}
