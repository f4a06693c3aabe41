package org.leno.internal.nn;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * The checking process: computes each listed configuration on one path, forward and (for training
 * configurations) backward, and compares the output, the input gradient and the weight gradient
 * with the same computation in float64 on the same (rounded) values, which libtorch never sends
 * to oneDNN. It runs in a JVM of its own, started by {@link KernelChecker}, because a faulty kernel
 * may kill the process: it prints {@code begin ID} before each configuration and {@code result ...}
 * after it, so that the parent knows which one did.
 *
 * <p>Usage: {@code java -cp ... org.leno.internal.nn.KernelCheck JOBS_FILE}, one job per line: {@code ID<TAB>PATH<TAB>KEY}.
 */
public final class KernelCheck {
    /** Worst relative error accepted (largest absolute difference over the largest reference value). */
    public static final double FP32_TOLERANCE = 1e-4;
    public static final double BF16_TOLERANCE = 3e-2;
    /**
     * Runs of the checked path per configuration, each after buffers of NaN as large as the run's
     * tensors were allocated and freed: a kernel that reads memory it never wrote (on the EPYC family
     * 26, oneDNN's input gradient of 3x3 convolutions with fewer than 16 output channels) is right by
     * luck on fresh memory. That one passed about every second single run at two threads; eight runs
     * found it in 40 of 40 checks, four in 18 of 20 (glibc's MALLOC_PERTURB_ instead: 2 of 20). At
     * least {@link #MIN_RUNS}, then more up to {@link #MAX_RUNS} while the runs have taken less than
     * {@link #RUN_BUDGET_NANOS}: small configurations, cheap to run, get all eight, the largest layers
     * of a ResNet-50 step at batch 64 one or two, which keeps a first check of its 24 configurations
     * under 15 s on 2 cores (with at least two runs each: 17-18 s).
     */
    static final int MIN_RUNS = 1;
    static final int MAX_RUNS = 8;
    static final long RUN_BUDGET_NANOS = 250_000_000L;

    private KernelCheck() {
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        KernelFaults faults = KernelFaults.fromSettings();
        Natives.load();
        List<String> jobs = Files.readAllLines(Path.of(args[0]), StandardCharsets.UTF_8);
        for (String line : jobs) {
            if (line.isBlank()) {
                continue;
            }
            String[] parts = line.split("\t");
            KernelShape shape = KernelShape.parse(parts[2]);
            KernelPath path = KernelPath.valueOf(parts[1]);
            out.println("begin " + parts[0]);
            double[] errors;
            try (NativeScope scope = NativeScope.open()) {
                errors = errors(shape, path, faults);
            }
            double worst = Math.max(errors[0], Math.max(errors[1], errors[2]));
            boolean ok = worst <= tolerance(shape.precision());
            out.printf(Locale.ROOT, "result %s %s %.3e %.3e %.3e%n", parts[0], ok ? "OK" : "WRONG", errors[0], errors[1], errors[2]);
        }
    }

    public static double tolerance(KernelShape.Precision p) {
        return p == KernelShape.Precision.BF16 ? BF16_TOLERANCE : FP32_TOLERANCE;
    }

    /** Relative errors of the output, the input gradient and the weight gradient (0 for gradients not computed). */
    static double[] errors(KernelShape shape, KernelPath path, KernelFaults faults) {
        torch.set_num_threads(shape.threads());
        torch.manual_seed(0);
        ScalarType type = shape.precision() == KernelShape.Precision.BF16 ? ScalarType.BFloat16 : ScalarType.Float;
        boolean conv = shape.op() == KernelShape.Op.CONV;
        Tensor x = conv ? torch.randn(shape.batch(), shape.in(), shape.height(), shape.width()) : torch.randn(shape.batch(), shape.in());
        Tensor w = conv ? torch.randn(shape.out(), shape.in(), shape.kernel(), shape.kernel()).div(new Scalar(
                Math.sqrt(shape.in() * shape.kernel() * shape.kernel()))) : torch.randn(shape.out(), shape.in());
        Tensor b = shape.bias() ? torch.randn(shape.out()) : null;
        x = x.to(type);
        w = w.to(type);
        b = b == null ? null : b.to(type);
        if (conv) {
            x = restrided(x, shape.inputStrideArray(), type);
            w = restrided(w, shape.weightStrideArray(), type);
        }
        torch.manual_seed(1);
        Tensor r = (conv ? torch.randn(shape.batch(), shape.out(), shape.outHeight(), shape.outWidth())
                : torch.randn(shape.batch(), shape.out())).to(type);
        Tensor[] reference = run(shape, KernelPath.FLOAT64, x.to(ScalarType.Double), w.to(ScalarType.Double),
                b == null ? null : b.to(ScalarType.Double), r.to(ScalarType.Double), ScalarType.Double, KernelFaults.NONE);
        if (faults.crashes(shape, path)) {
            dieLikeOneDnn();
        }
        double[] errors = new double[3];
        long start = System.nanoTime();
        for (int run = 0; run < MAX_RUNS && (run < MIN_RUNS || System.nanoTime() - start < RUN_BUDGET_NANOS)
                && Math.max(errors[0], Math.max(errors[1], errors[2])) <= tolerance(shape.precision()); run++) {
            try (NativeScope scope = NativeScope.open()) {
                dirtyMemory(x, w, r);
                Tensor[] got = run(shape, path, x, w, b, r, type, faults);
                for (int i = 0; i < got.length; i++) {
                    double e = relative(got[i], reference[i]);
                    errors[i] = Math.max(errors[i], e); // NaN stays NaN: WRONG
                }
            }
        }
        return errors;
    }

    /** Allocates and frees NaN buffers as large as the run's tensors, so that memory a kernel reads unwritten holds NaN. */
    private static void dirtyMemory(Tensor... like) {
        try (NativeScope scope = NativeScope.open()) {
            for (Tensor t : like) {
                for (int copy = 0; copy < 3; copy++) {
                    torch.full_like(t, new Scalar(Double.NaN));
                }
            }
        }
    }

    /** Output, and with backward the gradients of sum(y * r), as float64. */
    private static Tensor[] run(KernelShape shape, KernelPath path, Tensor x, Tensor w, Tensor b, Tensor r,
                                ScalarType type, KernelFaults faults) {
        x = x.detach().requires_grad_(shape.backward());
        w = w.detach().requires_grad_(shape.backward());
        Tensor y = shape.op() == KernelShape.Op.CONV ? path.conv(x, w, b, shape.stride(), shape.pad(), type)
                : path.linear(x, w, b, type);
        y = faults.apply(shape, path, y);
        if (!shape.backward()) {
            return new Tensor[] {y.detach().to(ScalarType.Double)};
        }
        y.mul(r.to(y.dtype())).sum().backward();
        return new Tensor[] {y.detach().to(ScalarType.Double), x.grad().to(ScalarType.Double), w.grad().to(ScalarType.Double)};
    }

    /** A copy of {@code t} with exactly {@code strides}, as the run's tensor has them. */
    private static Tensor restrided(Tensor t, long[] strides, ScalarType type) {
        return torch.empty_strided(Tensors.shape(t), strides, new TensorOptions(type)).copy_(t);
    }

    private static double relative(Tensor got, Tensor reference) {
        double scale = reference.abs().max().item_double();
        double diff = got.sub(reference).abs().max().item_double();
        return scale == 0 ? diff : diff / scale;
    }

    /** What oneDNN does on the faulty machines: SIGFPE, which the JVM reports as a crash. */
    private static void dieLikeOneDnn() {
        try {
            new ProcessBuilder("kill", "-FPE", Long.toString(ProcessHandle.current().pid())).inheritIO().start().waitFor();
            Thread.sleep(10_000);
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(136);
    }
}
