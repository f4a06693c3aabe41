package org.leno.internal.nn;

import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * What libtorch's fastest kernels deliver on this machine: FLOP/s of a large matrix product and a
 * large 3x3 convolution (channels-last, as our models run) in fp32 and in bf16, each the best of
 * several calls after a warm-up. The faster of the two for a precision is that precision's peak:
 * the yardstick a training step's useful FLOP/s are compared with.
 *
 * <p>Sizes grow (matrix side from 256, convolution batch from 1) until one call takes {@link
 * #LARGE_SECONDS} or the given maximum is reached: large enough to be compute-bound, and still
 * quick where a precision has no fast kernel (bf16 without bf16 instructions runs at a few GFLOP/s).
 */
public final class PeakFlops {
    /** One kernel's measurement: FLOPs of one call and the fastest call's seconds. */
    public record Kernel(String operation, String precision, String shape, double flops, double seconds) {
        public double flopsPerSecond() { return flops / seconds; }
    }

    private static final double LARGE_SECONDS = 0.05;
    /** Calls after the warm-up: at least this many, and until they took {@link #MIN_SECONDS}. */
    private static final int MIN_CALLS = 3;
    private static final double MIN_SECONDS = 1.0;
    private static final long CONV_CHANNELS = 256;
    private static final long CONV_SIDE = 28;

    private final int maxMatrixSize;
    private final int maxConvBatch;

    /**
     * @param maxMatrixSize largest n of the n x n by n x n product
     * @param maxConvBatch  largest batch of the convolution's 256 x 28 x 28 input (256 output channels, 3x3, padding 1)
     */
    public PeakFlops(int maxMatrixSize, int maxConvBatch) {
        this.maxMatrixSize = maxMatrixSize;
        this.maxConvBatch = maxConvBatch;
    }

    /** Up to 2048 x 2048 products and a batch of 32 (ResNet's stage 2 at 224 px). */
    public static PeakFlops standard() {
        return new PeakFlops(2048, 32);
    }

    public static String precision(boolean bf16) {
        return bf16 ? "bf16" : "fp32";
    }

    public Kernel matmul(boolean bf16) {
        Natives.load();
        long n = Math.min(256, maxMatrixSize);
        while (n * 2 <= maxMatrixSize && once(matmulCall(n, bf16)) < LARGE_SECONDS) {
            n *= 2;
        }
        double seconds = fastest(matmulCall(n, bf16));
        return new Kernel("matmul", precision(bf16), n + "x" + n + " @ " + n + "x" + n, 2.0 * n * n * n, seconds);
    }

    public Kernel conv(boolean bf16) {
        Natives.load();
        long batch = 1;
        while (batch * 2 <= maxConvBatch && once(convCall(batch, bf16)) < LARGE_SECONDS) {
            batch *= 2;
        }
        double seconds = fastest(convCall(batch, bf16));
        double flops = 2.0 * batch * CONV_SIDE * CONV_SIDE * CONV_CHANNELS * CONV_CHANNELS * 9;
        String shape = String.format("%dx%dx%dx%d, 3x3 to %d channels", batch, CONV_CHANNELS, CONV_SIDE, CONV_SIDE, CONV_CHANNELS);
        return new Kernel("conv2d", precision(bf16), shape, flops, seconds);
    }

    /** Both kernels of one precision. */
    public List<Kernel> measure(boolean bf16) {
        return List.of(matmul(bf16), conv(bf16));
    }

    /** The faster kernel of a list. */
    public static Kernel peak(List<Kernel> kernels) {
        return kernels.stream().max((a, b) -> Double.compare(a.flopsPerSecond(), b.flopsPerSecond())).orElseThrow();
    }

    /** One call's operands, made once; the call itself is timed. */
    private interface Call {
        Supplier<Tensor> prepare();
    }

    private static Call matmulCall(long n, boolean bf16) {
        return () -> {
            Tensor a = torch.randn(n, n).to(dtype(bf16));
            Tensor b = torch.randn(n, n).to(dtype(bf16));
            return () -> torch.matmul(a, b);
        };
    }

    private static Call convCall(long batch, boolean bf16) {
        return () -> {
            Tensor x = torch.randn(batch, CONV_CHANNELS, CONV_SIDE, CONV_SIDE).to(dtype(bf16))
                    .contiguous(torch.MemoryFormat.ChannelsLast);
            Tensor w = torch.randn(CONV_CHANNELS, CONV_CHANNELS, 3, 3).to(dtype(bf16)).contiguous(torch.MemoryFormat.ChannelsLast);
            long[] one = {1, 1};
            return () -> torch.conv2d(x, w, null, one, one, one, 1);
        };
    }

    private static ScalarType dtype(boolean bf16) {
        return bf16 ? ScalarType.BFloat16 : ScalarType.Float;
    }

    /** Seconds of one call after a first one (which may include a one-time set-up). */
    private static double once(Call call) {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Supplier<Tensor> body = call.prepare();
            double first = time(body);
            return first >= LARGE_SECONDS ? first : time(body);
        }
    }

    /**
     * The fastest of several calls after a warm-up call; a warm-up that already took {@link
     * #MIN_SECONDS} counts as one of two calls.
     */
    private static double fastest(Call call) {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Supplier<Tensor> body = call.prepare();
            double first = time(body);
            if (first >= MIN_SECONDS) {
                return Math.min(first, time(body));
            }
            double best = Double.MAX_VALUE;
            double total = 0;
            for (int i = 0; i < MIN_CALLS || total < MIN_SECONDS; i++) {
                double seconds = time(body);
                best = Math.min(best, seconds);
                total += seconds;
            }
            return best;
        }
    }

    private static double time(Supplier<Tensor> body) {
        try (NativeScope scope = NativeScope.open()) {
            long start = System.nanoTime();
            body.get();
            return (System.nanoTime() - start) / 1e9;
        }
    }
}
