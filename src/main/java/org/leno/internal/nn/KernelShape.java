package org.leno.internal.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One configuration of a convolution or a linear layer as its kernel sees it: geometry, channels,
 * map size, batch, precision, the exact strides of the input and the weight (oneDNN's blocking
 * differs between a channels-last 1x1 map and a contiguous one, which hold the same bytes), whether
 * the backward pass (input and weight gradients) runs too, and libtorch's thread count. oneDNN picks
 * its algorithm from all of these, so a verdict on one configuration says nothing about another.
 */
public record KernelShape(Op op, long kernel, long stride, long pad, long in, long out, boolean bias, long batch,
                          long height, long width, Precision precision, String inputStrides, String weightStrides,
                          boolean backward, int threads) {

    /** What is computed: a 2-d convolution (square kernel, no dilation, one group), or a linear layer. */
    public enum Op { CONV, LINEAR }

    public enum Precision { FP32, BF16 }

    /** A convolution whose input and weight have the given strides (for the input, those of one image are enough). */
    public static KernelShape conv(long kernel, long stride, long pad, long in, long out, boolean bias, long batch,
                                   long height, long width, Precision precision, long[] inputStrides, long[] weightStrides,
                                   boolean backward, int threads) {
        return new KernelShape(Op.CONV, kernel, stride, pad, in, out, bias, batch, height, width, precision,
                join(inputStrides), join(weightStrides), backward, threads);
    }

    /** A convolution on channels-last (or contiguous) input and weight. */
    public static KernelShape conv(long kernel, long stride, long pad, long in, long out, boolean bias, long batch,
                                   long height, long width, Precision precision, boolean channelsLast, boolean backward,
                                   int threads) {
        return conv(kernel, stride, pad, in, out, bias, batch, height, width, precision,
                strides(in, height, width, channelsLast), strides(in, kernel, kernel, channelsLast), backward, threads);
    }

    public static KernelShape linear(long in, long out, boolean bias, long batch, Precision precision, boolean backward,
                                     int threads) {
        return new KernelShape(Op.LINEAR, 1, 1, 0, in, out, bias, batch, 1, 1, precision, in + ",1", in + ",1", backward,
                threads);
    }

    public KernelShape withBatch(long n) {
        return new KernelShape(op, kernel, stride, pad, in, out, bias, n, height, width, precision, inputStrides,
                weightStrides, backward, threads);
    }

    public KernelShape withBackward(boolean b) {
        return new KernelShape(op, kernel, stride, pad, in, out, bias, batch, height, width, precision, inputStrides,
                weightStrides, b, threads);
    }

    /** The dense strides of a (., c, h, w) tensor, channels-last or contiguous. */
    public static long[] strides(long c, long h, long w, boolean channelsLast) {
        return channelsLast ? new long[] {h * w * c, 1, w * c, c} : new long[] {c * h * w, h * w, w, 1};
    }

    /** Whether the input has channels-last strides (for a 1x1 map these differ from contiguous ones). */
    public boolean channelsLast() {
        return op == Op.CONV && inputStrides.equals(join(strides(in, height, width, true)));
    }

    public long[] inputStrideArray() { return parseLongs(inputStrides); }

    public long[] weightStrideArray() { return parseLongs(weightStrides); }

    public long outHeight() { return (height + 2 * pad - kernel) / stride + 1; }

    public long outWidth() { return (width + 2 * pad - kernel) / stride + 1; }

    /** What a crash is assumed to depend on: the convolution without its batch, map size, layout, direction and threads. */
    public String crashFamily() {
        return String.format(Locale.ROOT, "%s k=%d s=%d p=%d in=%d out=%d bias=%d %s", op, kernel, stride, pad, in, out,
                bias ? 1 : 0, precision);
    }

    /** Whether the convolution is one matrix product over (strided) pixels: 1x1, no padding. */
    public boolean pointwise() {
        return op == Op.CONV && kernel == 1 && pad == 0;
    }

    /** Multiply-accumulates of the forward pass. */
    public long macs() {
        return op == Op.LINEAR ? batch * in * out : batch * outHeight() * outWidth() * in * out * kernel * kernel;
    }

    /**
     * The stable text form, a cache key:
     * {@code conv k=1 s=2 p=0 in=256 out=512 bias=0 n=64 h=16 w=16 fp32 x=65536,1,4096,256 w=256,1,1,1 train t=2}.
     */
    public String key() {
        return String.format(Locale.ROOT, "%s k=%d s=%d p=%d in=%d out=%d bias=%d n=%d h=%d w=%d %s x=%s w=%s %s t=%d",
                op.name().toLowerCase(Locale.ROOT), kernel, stride, pad, in, out, bias ? 1 : 0, batch, height, width,
                precision.name().toLowerCase(Locale.ROOT), inputStrides, weightStrides, backward ? "train" : "eval",
                threads);
    }

    /** Parses {@link #key()}. */
    public static KernelShape parse(String key) {
        String[] words = key.trim().split(" +");
        if (words.length != 15) {
            throw new IllegalArgumentException("not a kernel configuration: " + key);
        }
        Map<String, Long> n = new HashMap<>();
        for (int i = 1; i <= 9; i++) {
            int eq = words[i].indexOf('=');
            n.put(words[i].substring(0, eq), Long.parseLong(words[i].substring(eq + 1)));
        }
        return new KernelShape(Op.valueOf(words[0].toUpperCase(Locale.ROOT)), n.get("k"), n.get("s"), n.get("p"),
                n.get("in"), n.get("out"), n.get("bias") == 1, n.get("n"), n.get("h"), n.get("w"),
                Precision.valueOf(words[10].toUpperCase(Locale.ROOT)), words[11].substring(2), words[12].substring(2),
                words[13].equals("train"), Integer.parseInt(words[14].substring(2)));
    }

    /** For people: {@code 1x1/2 256->512 at 16x16, batch 64, fp32, channels-last, forward+backward}. */
    public String describe() {
        String what = op == Op.LINEAR
                ? String.format(Locale.ROOT, "linear %d->%d%s", in, out, bias ? "+bias" : "")
                : String.format(Locale.ROOT, "conv %dx%d/%d%s %d->%d%s at %dx%d", kernel, kernel, stride,
                        pad > 0 ? " pad " + pad : "", in, out, bias ? "+bias" : "", height, width);
        return String.format(Locale.ROOT, "%s, batch %d, %s%s, %s", what, batch, precision.name().toLowerCase(Locale.ROOT),
                op == Op.CONV ? ", " + layout() : "",
                backward ? "forward+backward" : "forward");
    }

    private String layout() {
        boolean weightCl = weightStrides.equals(join(strides(in, kernel, kernel, true)));
        boolean weightNchw = weightStrides.equals(join(strides(in, kernel, kernel, false)));
        String x = channelsLast() ? "channels-last" : inputStrides.equals(join(strides(in, height, width, false)))
                ? "NCHW" : "input strides " + inputStrides;
        return x + (weightCl && weightNchw ? "" : weightCl ? " (weight channels-last)" : weightNchw ? " (weight NCHW)"
                : " (weight strides " + weightStrides + ")");
    }

    private static String join(long[] values) {
        return String.join(",", Arrays.stream(values).mapToObj(Long::toString).toList());
    }

    private static long[] parseLongs(String text) {
        return Arrays.stream(text.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
