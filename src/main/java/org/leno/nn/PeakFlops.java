package org.leno.nn;

import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * What libtorch's fastest kernels deliver on this machine: FLOP/s of a large matrix product and a
 * large 3x3 convolution (channels-last, as our models run) in fp32 and in bf16, each the best of
 * several calls after a warm-up. The faster of the two for a precision is that precision's peak:
 * the yardstick a training step's useful FLOP/s are compared with.
 */
public final class PeakFlops {
    /** One kernel's measurement: FLOPs of one call and the fastest call's seconds. */
    public record Kernel(String operation, String precision, String shape, double flops, double seconds) {
        public double flopsPerSecond() { return flops / seconds; }
    }

    /** Calls after the warm-up: at least this many, and until they took {@link #MIN_SECONDS}. */
    private static final int MIN_CALLS = 3;
    private static final double MIN_SECONDS = 1.0;

    private final int matrixSize;
    private final long[] convInput;
    private final long convChannelsOut;

    /**
     * @param matrixSize n of the n x n by n x n product
     * @param convInput  N, C, H, W of the convolution's input; it has C output channels, 3x3, padding 1
     */
    public PeakFlops(int matrixSize, long[] convInput) {
        this.matrixSize = matrixSize;
        this.convInput = convInput.clone();
        this.convChannelsOut = convInput[1];
    }

    /** 2048 x 2048 products; 32 x 256 x 28 x 28 input, 256 output channels (ResNet's stage 2 at 224 px). */
    public static PeakFlops standard() {
        return new PeakFlops(2048, new long[] {32, 256, 28, 28});
    }

    /** N, C, H, W of the convolution's input. */
    public long[] convInput() { return convInput.clone(); }

    public static String precision(boolean bf16) {
        return bf16 ? "bf16" : "fp32";
    }

    public Kernel matmul(boolean bf16) {
        Natives.load();
        long n = matrixSize;
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor a = torch.randn(n, n).to(dtype(bf16));
            Tensor b = torch.randn(n, n).to(dtype(bf16));
            double seconds = fastest(() -> torch.matmul(a, b));
            return new Kernel("matmul", precision(bf16), n + "x" + n + " @ " + n + "x" + n, 2.0 * n * n * n, seconds);
        }
    }

    public Kernel conv(boolean bf16) {
        Natives.load();
        long[] s = convInput;
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = torch.randn(s).to(dtype(bf16)).contiguous(torch.MemoryFormat.ChannelsLast);
            Tensor w = torch.randn(convChannelsOut, s[1], 3, 3).to(dtype(bf16)).contiguous(torch.MemoryFormat.ChannelsLast);
            long[] one = {1, 1};
            double seconds = fastest(() -> torch.conv2d(x, w, null, one, one, one, 1));
            double flops = 2.0 * s[0] * s[2] * s[3] * convChannelsOut * s[1] * 9;
            String shape = String.format("%dx%dx%dx%d, 3x3 to %d channels", s[0], s[1], s[2], s[3], convChannelsOut);
            return new Kernel("conv2d", precision(bf16), shape, flops, seconds);
        }
    }

    /** Both kernels of one precision. */
    public List<Kernel> measure(boolean bf16) {
        return List.of(matmul(bf16), conv(bf16));
    }

    /** The faster kernel of a list. */
    public static Kernel peak(List<Kernel> kernels) {
        return kernels.stream().max((a, b) -> Double.compare(a.flopsPerSecond(), b.flopsPerSecond())).orElseThrow();
    }

    private static ScalarType dtype(boolean bf16) {
        return bf16 ? ScalarType.BFloat16 : ScalarType.Float;
    }

    private static double fastest(java.util.function.Supplier<Tensor> call) {
        try (NativeScope warm = NativeScope.open()) {
            call.get();
        }
        double best = Double.MAX_VALUE;
        double total = 0;
        for (int i = 0; i < MIN_CALLS || total < MIN_SECONDS; i++) {
            try (NativeScope scope = NativeScope.open()) {
                long start = System.nanoTime();
                call.get();
                double seconds = (System.nanoTime() - start) / 1e9;
                best = Math.min(best, seconds);
                total += seconds;
            }
        }
        return best;
    }
}
