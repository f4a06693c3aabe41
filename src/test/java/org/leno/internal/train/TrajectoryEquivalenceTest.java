package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.leno.internal.interop.DType;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.nn.KernelFaults;
import org.leno.internal.nn.KernelGuard;
import org.leno.internal.nn.KernelPath;
import org.leno.internal.nn.KernelShape;
import org.leno.internal.nn.KernelVerdict;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;
import org.leno.internal.testing.Fixtures;

/**
 * Our training step against PyTorch's over K = 20 steps from the same weights and batches
 * (scripts/make_trajectory_fixtures.py: LeNo-ResNet-50 and ResNet-50 at 32x32, batch 16, SGD with
 * lr 0.02, momentum 0.9 and weight decay 1e-4, Nesterov off and on, fp32 and bf16 autocast).
 *
 * <p>What is compared, and why these tolerances. The fixture holds three PyTorch runs of each
 * setting: fp32, bf16 autocast, and fp64, the trajectory without rounding. How far PyTorch's fp32
 * (or bf16) run is from its fp64 run is the rounding distance of that precision; ours may be
 * {@link #ROUNDING_FACTOR} times that far from PyTorch's (two programs that each round that much
 * are up to twice as far apart, plus room for the spread of a median over ~160 tensors).
 * <ul>
 * <li>Step 1 (fp32): the loss within the rounding factor (at least 1e-5), the BatchNorm running statistics value by value to 1e-4,
 * and each parameter's norm to 1e-4 (median and 90th percentile over tensors), or to the rounding
 * factor times PyTorch's own distance from fp64 where that is larger: ResNet-50's 90th percentile
 * is 1.1e-4 with SGD and 2.0e-4 with Nesterov, so two correct programs differ by more than 1e-4 there
 * (ours, at 2 threads on an AMD EPYC family 26, by 1.2e-4 and 2.5e-4, while it is 5.3e-5 and 1.5e-4
 * from exact). Individual
 * parameter values after step 1 cannot be compared that closely: at 32x32 the last stage is 1x1,
 * so BatchNorm there normalises one value per image and channel, and rounding flips a few ReLU
 * masks; PyTorch's own fp32 gradients are then ~1% from its fp64 ones, and at lr 0.02 the first
 * update (the gradients at the stem are ~1e3) is larger than the weights. The gradients (momentum
 * buffers after step 1) are compared by norm within the rounding distance.
 * <li>Step K: these networks, whose gradients explode at initialisation, amplify rounding so far
 * that individual values of PyTorch's fp32 and fp64 runs are unrelated after 20 steps, at any
 * learning rate that trains (measured down to 1e-6). Per-tensor norms (weight growth, momentum
 * size, running statistics) are not: PyTorch fp32 stays within a few 1e-3 of fp64 (median). Ours
 * must be within the rounding factor of PyTorch's fp32 run, by the median over tensors (the
 * negative control below fails it). The 90th percentile is printed, not held: after 20 chaotic
 * steps it scatters with the path (ResNet-50 Nesterov, ours against PyTorch's: 0.22 for parameters
 * and 1.45 for running statistics, this class alone on an AMD EPYC family 26, 2 threads;
 * PyTorch's own fp32 run is 0.074 and 0.40 from exact).
 * <li>bf16 autocast: the same norm checks with bf16's rounding distance (PyTorch's bf16 run against
 * its fp64 run), and the loss of step 1 within 10% of the exact one: bf16's 8-bit mantissa over
 * ~50 layers; PyTorch's own bf16 loss is 6.8% from exact for ResNet-50 here. Only LeNo-ResNet-50 runs
 * in bf16 (the fixture has ResNet-50 too): on CPUs without native bf16 (AVX-512-BF16, AMX), such as
 * the AMD EPYC (Zen 3) of our CI, bf16 is emulated and a step takes 12 times as long as in fp32.
 * </ul>
 * Two negative controls show that the checks can fail: a Nesterov step compared with the plain-SGD
 * fixture fails at step 1, and momentum 0.5 compared with the 0.9 fixture (identical at step 1,
 * where the momentum buffer is the gradient) fails at step K.
 */
class TrajectoryEquivalenceTest {
    private static final Map<String, Object> FIXTURE = read();
    private static final KernelFaults EVERY_CONVOLUTION_WRONG = KernelFaults.of("", "*");
    private static final int STEPS = meta("steps");
    private static final int BATCH = meta("batch");
    private static final int SIZE = meta("size");
    private static final int CLASSES = meta("classes");
    private static final int SAMPLES = meta("samples");
    private static final double ROUNDING_FACTOR = 3.0;
    private static final double STEP1_TOLERANCE = 1e-4;
    private static final List<String> KINDS = List.of("param", "momentum", "buffer");
    private static final Map<String, Run> RUNS = new java.util.concurrent.ConcurrentHashMap<>();

    @ParameterizedTest(name = "{0} {1} {2}")
    @CsvSource({"lenoresnet50,sgd,fp32", "lenoresnet50,nesterov,fp32", "lenoresnet50,sgd,bf16",
            "resnet50,sgd,fp32", "resnet50,nesterov,fp32"})
    void followsPyTorchsTrajectory(String model, String optimizer, String precision) {
        boolean bf16 = precision.equals("bf16");
        Run ours = run(model, optimizer.equals("nesterov"), bf16, metaDouble("momentum"));
        assertFollows(ours, model + "." + optimizer + "." + precision, model + "." + optimizer + ".fp64", bf16);
    }

    /**
     * With every convolution on its fallback (oneDNN made to fail every check: 1x1 as matrix products,
     * the others as thnn_conv2d), our distance from the fp64 trajectory against PyTorch 1.13's own:
     * its runs with oneDNN and without it ({@code torch.backends.mkldnn.enabled = False}) are two correct
     * paths, and ours may be {@link #ROUNDING_FACTOR} times as far from exact as the further of them
     * (step 1's parameter norms at least to {@link #STEP1_TOLERANCE}; bf16's step-1 loss within 10% of
     * exact, as above). Step K is held to the medians only: after 20 chaotic steps the 90th percentile
     * over tensors scatters (measured from 0.24 to 1.6 for ours and 0.14 to 1.1 for PyTorch's runs;
     * docs/kernels.md); the report prints it.
     */
    @ParameterizedTest(name = "{0} {1} {2} on fallbacks")
    @CsvSource({"lenoresnet50,sgd,fp32", "resnet50,nesterov,fp32", "lenoresnet50,sgd,bf16"})
    void followsPyTorchsTrajectoryWithoutOneDnn(String model, String optimizer, String precision) throws Exception {
        boolean bf16 = precision.equals("bf16");
        Run ours;
        try (AutoCloseable faults = KernelGuard.shared().injecting(EVERY_CONVOLUTION_WRONG)) {
            ours = train(model, optimizer.equals("nesterov"), bf16, metaDouble("momentum"));
            assertThat(KernelGuard.shared().cachedVerdicts()).as("no convolution on libtorch's own (oneDNN) kernel")
                    .filteredOn(v -> v.kernelShape().op() == KernelShape.Op.CONV).hasSizeGreaterThan(10)
                    .allMatch(v -> v.route() != KernelPath.LIBTORCH);
        }
        String run = model + "." + optimizer + ".";
        List<String> torchRuns = List.of(run + precision, run + (bf16 ? "bf16nomkl" : "nomkl"));
        String exact = run + "fp64";
        SoftAssertions softly = new SoftAssertions();
        List<String> report = new ArrayList<>();
        double exactLoss = doubles(exact + ".losses")[0];
        double lossLimit = bf16 ? 0.1 : Math.max(1e-5, ROUNDING_FACTOR * torchRuns.stream()
                .mapToDouble(t -> relative(doubles(t + ".losses")[0], exactLoss)).max().orElseThrow());
        softly.assertThat(relative(ours.losses[0], exactLoss)).as("loss of step 1 against exact").isLessThanOrEqualTo(lossLimit);
        for (String checkpoint : List.of("step1", "stepK")) {
            for (String kind : KINDS) {
                String key = "." + checkpoint + "." + kind + ".norms";
                Spread oursVsExact = Spread.of(ours.norms.get(checkpoint + "." + kind), doubles(exact + key));
                Spread torch = torchRuns.stream().map(t -> Spread.of(doubles(t + key), doubles(exact + key)))
                        .reduce((a, b) -> new Spread(Math.max(a.median, b.median), Math.max(a.p90, b.p90))).orElseThrow();
                double floor = checkpoint.equals("step1") && kind.equals("param") && !bf16 ? STEP1_TOLERANCE : 1e-7;
                report.add(String.format("%s %-8s norms from fp64: ours median %.1e p90 %.1e | PyTorch (further of two) median %.1e p90 %.1e",
                        checkpoint, kind, oursVsExact.median, oursVsExact.p90, torch.median, torch.p90));
                softly.assertThat(oursVsExact.median).as("%s %s norms from exact, median over tensors", checkpoint, kind)
                        .isLessThanOrEqualTo(Math.max(floor, ROUNDING_FACTOR * torch.median));
                if (checkpoint.equals("step1")) {
                    softly.assertThat(oursVsExact.p90).as("%s %s norms from exact, 90th percentile over tensors", checkpoint, kind)
                            .isLessThanOrEqualTo(Math.max(floor, ROUNDING_FACTOR * torch.p90));
                }
            }
        }
        System.out.println(run + precision + " on fallbacks\n  " + String.join("\n  ", report));
        softly.assertAll();
    }

    /** The negative control of the test above: the same run on wrong kernels that no check catches leaves the bound. */
    @Test
    void aWrongKernelLeavesTheTrajectory() throws Exception {
        Run wrong;
        try (AutoCloseable faults = KernelGuard.shared().injecting(EVERY_CONVOLUTION_WRONG);
             AutoCloseable blind = KernelGuard.shared().blindToInjectedFaults()) {
            wrong = train("lenoresnet50", false, false, metaDouble("momentum"));
        }
        Spread gradients = Spread.of(wrong.norms.get("step1.momentum"), doubles("lenoresnet50.sgd.nomkl.step1.momentum.norms"));
        Spread rounding = Spread.of(doubles("lenoresnet50.sgd.nomkl.step1.momentum.norms"),
                doubles("lenoresnet50.sgd.fp64.step1.momentum.norms"));
        assertThat(gradients.median).as("gradients of step 1 (momentum norms), median over tensors")
                .isGreaterThan(10 * ROUNDING_FACTOR * rounding.median);
    }

    private static void assertFollows(Run ours, String torch, String exact, boolean bf16) {
        SoftAssertions softly = new SoftAssertions();
        List<String> report = new ArrayList<>();
        double[] torchLosses = doubles(torch + ".losses");
        double exactLoss = doubles(exact + ".losses")[0];
        report.add(String.format("losses ours  %s%n  losses torch %s", format(ours.losses), format(torchLosses)));
        if (bf16) {
            softly.assertThat(relative(ours.losses[0], exactLoss)).as("bf16 loss of step 1 against exact").isLessThan(0.1);
        } else {
            double limit = Math.max(1e-5, ROUNDING_FACTOR * relative(torchLosses[0], exactLoss));
            softly.assertThat(relative(ours.losses[0], torchLosses[0])).as("loss of step 1").isLessThanOrEqualTo(limit);
        }
        for (String kind : KINDS) {
            double d = maxSampleDistance(ours.samples.get("step1." + kind), matrix(torch + ".step1." + kind + ".samples"));
            double r = maxSampleDistance(matrix(torch + ".step1." + kind + ".samples"), matrix(exact + ".step1." + kind + ".samples"));
            report.add(String.format("step1 %-8s values: ours-torch %.1e | torch-fp64 %.1e", kind, d, r));
            if (kind.equals("buffer") && !bf16) {
                softly.assertThat(d).as("running statistics after step 1, value by value").isLessThan(STEP1_TOLERANCE);
            }
        }
        for (String checkpoint : List.of("step1", "stepK")) {
            for (String kind : KINDS) {
                Spread oursVsTorch = Spread.of(ours.norms.get(checkpoint + "." + kind),
                        doubles(torch + "." + checkpoint + "." + kind + ".norms"));
                Spread rounding = Spread.of(doubles(torch + "." + checkpoint + "." + kind + ".norms"),
                        doubles(exact + "." + checkpoint + "." + kind + ".norms"));
                Spread fromExact = Spread.of(ours.norms.get(checkpoint + "." + kind), doubles(exact + "." + checkpoint + "." + kind + ".norms"));
                report.add(String.format("%s %-8s norms: ours-torch median %.1e p90 %.1e | torch-fp64 median %.1e p90 %.1e | ours-fp64 median %.1e p90 %.1e",
                        checkpoint, kind, oursVsTorch.median, oursVsTorch.p90, rounding.median, rounding.p90, fromExact.median, fromExact.p90));
                boolean exactNorms = checkpoint.equals("step1") && kind.equals("param") && !bf16;
                // step 1's parameter norms to 1e-4, unless PyTorch's own fp32 run is that far from exact: then, as
                // everywhere else, within the rounding factor of it (ResNet-50's p90 is 1.1e-4, Nesterov's 2.0e-4)
                double medianLimit = exactNorms ? Math.max(STEP1_TOLERANCE, ROUNDING_FACTOR * rounding.median)
                        : ROUNDING_FACTOR * rounding.median + 1e-7;
                double p90Limit = exactNorms ? Math.max(STEP1_TOLERANCE, ROUNDING_FACTOR * rounding.p90)
                        : ROUNDING_FACTOR * rounding.p90 + 1e-7;
                softly.assertThat(oursVsTorch.median).as("%s %s norms, median over tensors", checkpoint, kind)
                        .isLessThanOrEqualTo(medianLimit);
                if (checkpoint.equals("step1")) { // step K's 90th percentile scatters (see the class comment)
                    softly.assertThat(oursVsTorch.p90).as("%s %s norms, 90th percentile over tensors", checkpoint, kind)
                            .isLessThanOrEqualTo(p90Limit);
                }
            }
        }
        System.out.println(torch + "\n  " + String.join("\n  ", report));
        softly.assertAll();
    }

    @Test
    void aNesterovStepFailsTheStepOneCheckAgainstPlainMomentum() {
        Run nesterov = run("lenoresnet50", true, false, metaDouble("momentum"));
        Spread wrong = Spread.of(nesterov.norms.get("step1.param"), doubles("lenoresnet50.sgd.fp32.step1.param.norms"));
        assertThat(wrong.p90).isGreaterThan(100 * STEP1_TOLERANCE);
    }

    @Test
    void anotherMomentumFailsTheStepKCheck() {
        Run other = run("lenoresnet50", false, false, 0.5);
        Spread same = Spread.of(other.norms.get("step1.param"), doubles("lenoresnet50.sgd.fp32.step1.param.norms"));
        Spread wrong = Spread.of(other.norms.get("stepK.param"), doubles("lenoresnet50.sgd.fp32.stepK.param.norms"));
        Spread rounding = Spread.of(doubles("lenoresnet50.sgd.fp32.stepK.param.norms"),
                doubles("lenoresnet50.sgd.fp64.stepK.param.norms"));
        assertThat(same.p90).as("step 1 does not see the momentum").isLessThan(STEP1_TOLERANCE);
        assertThat(wrong.median).as("step K does").isGreaterThan(ROUNDING_FACTOR * rounding.median);
    }

    private static Run run(String model, boolean nesterov, boolean bf16, double momentum) {
        return RUNS.computeIfAbsent(model + nesterov + bf16 + momentum, k -> train(model, nesterov, bf16, momentum));
    }

    /** Our run of the fixture's K steps through the trainer's own step. */
    private static Run train(String model, boolean nesterov, boolean bf16, double momentum) {
        ModelConfig config = ModelConfig.of(model.startsWith("leno") ? Arch.LENORESNET : Arch.RESNET, 50, CLASSES);
        Run run = new Run();
        try (TrainingFixture fixture = TrainingFixture.create(config, metaDouble("lr"), momentum,
                metaDouble("weight_decay"), nesterov, bf16)) {
            Fixtures.fillDeterministic(fixture.net());
            for (int i = 0; i < STEPS; i++) {
                run.losses[i] = fixture.step(images(i), labels(i), BATCH, SIZE);
                if (i == 0) {
                    run.snapshot("step1", fixture, true);
                }
            }
            run.snapshot("stepK", fixture, false);
        }
        return run;
    }

    static float[] images(int step) {
        return images(step, BATCH);
    }

    /** Batch {@code step} of the fixture scripts' formula, for batches of {@code batch} images. */
    static float[] images(int step, int batch) {
        int n = batch * 3 * SIZE * SIZE;
        long base = metaLong("input_base") + (long) step * n;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Fixtures.uniform(base + i) * 2.0);
        }
        return x;
    }

    static long[] labels(int step) {
        return labels(step, BATCH);
    }

    static long[] labels(int step, int batch) {
        long base = metaLong("label_base") + (long) step * batch;
        long[] y = new long[batch];
        for (int i = 0; i < batch; i++) {
            y[i] = Math.min(CLASSES - 1, (long) Math.floor((Fixtures.uniform(base + i) + 1.0) * 0.5 * CLASSES));
        }
        return y;
    }

    /** Losses, and per snapshot and kind the tensors' norms and sampled values, rows as the fixture's. */
    private static final class Run {
        final double[] losses = new double[STEPS];
        final Map<String, double[]> norms = new LinkedHashMap<>();
        final Map<String, double[][]> samples = new LinkedHashMap<>();

        void snapshot(String checkpoint, TrainingFixture fixture, boolean withSamples) {
            try (NativeScope scope = NativeScope.open()) {
                Map<String, List<float[]>> rows = new LinkedHashMap<>();
                KINDS.forEach(k -> rows.put(k, new ArrayList<>()));
                Set<String> params = new HashSet<>(fixture.parameterNames());
                for (Map.Entry<String, Tensor> e : StateDict.of(fixture.net()).entrySet()) {
                    if (Tensors.dtype(e.getValue()) == DType.F32) {
                        rows.get(params.contains(e.getKey()) ? "param" : "buffer").add(Tensors.floats(e.getValue()));
                    }
                }
                Map<?, ?> state = (Map<?, ?>) fixture.sgd().stateDict().get("state");
                for (int i = 0; i < fixture.parameterNames().size(); i++) {
                    HostTensor buf = (HostTensor) ((Map<?, ?>) state.get((long) i)).get("momentum_buffer");
                    rows.get("momentum").add(TensorData.copyOf(buf).toFloats());
                }
                rows.forEach((kind, list) -> {
                    assertThat(list).as(kind + " tensors").hasSize(((List<?>) FIXTURE.get(fixtureArch(fixture)
                            + ".keys." + kind)).size());
                    norms.put(checkpoint + "." + kind, list.stream().mapToDouble(Run::norm).toArray());
                    if (withSamples) {
                        samples.put(checkpoint + "." + kind, list.stream().map(Run::sample).toArray(double[][]::new));
                    }
                });
            }
        }

        private static String fixtureArch(TrainingFixture fixture) {
            return fixture.net().config().name();
        }

        private static double norm(float[] v) {
            double s = 0;
            for (float x : v) {
                s += (double) x * x;
            }
            return Math.sqrt(s);
        }

        private static double[] sample(float[] v) {
            double[] out = new double[SAMPLES];
            for (int j = 0; j < SAMPLES; j++) {
                out[j] = v[(int) Math.min((long) j * v.length / SAMPLES, v.length - 1)];
            }
            return out;
        }
    }

    /** Median and 90th percentile over tensors of |a - b| / |b| of their norms. */
    record Spread(double median, double p90) {
        static Spread of(double[] a, double[] b) {
            assertThat(a).hasSameSizeAs(b);
            double[] rel = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                rel[i] = relative(a[i], b[i]);
            }
            Arrays.sort(rel);
            return new Spread(rel[rel.length / 2], rel[(int) (rel.length * 0.9)]);
        }
    }

    /** The largest ||a - b|| / ||b|| over the rows (tensors) of two sample matrices. */
    static double maxSampleDistance(double[][] a, double[][] b) {
        assertThat(a.length).isEqualTo(b.length);
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            double diff = 0;
            double ref = 0;
            for (int j = 0; j < b[i].length; j++) {
                diff += (a[i][j] - b[i][j]) * (a[i][j] - b[i][j]);
                ref += b[i][j] * b[i][j];
            }
            worst = Math.max(worst, ref == 0 ? Math.sqrt(diff) : Math.sqrt(diff / ref));
        }
        return worst;
    }

    static double relative(double a, double b) {
        return b == 0 ? Math.abs(a) : Math.abs(a - b) / Math.abs(b);
    }

    private static String format(double[] v) {
        StringBuilder b = new StringBuilder();
        for (double x : v) {
            b.append(String.format("%.4f ", x));
        }
        return b.toString();
    }

    private static double[] doubles(String key) {
        return ((TensorData) FIXTURE.get(key)).toDoubles();
    }

    private static double[][] matrix(String key) {
        TensorData t = (TensorData) FIXTURE.get(key);
        int cols = (int) t.shape()[1];
        double[] flat = t.toDoubles();
        double[][] out = new double[flat.length / cols][];
        for (int i = 0; i < out.length; i++) {
            out[i] = Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
        }
        return out;
    }

    /** trajectory.pt and the runs without oneDNN of trajectory-nomkl.pt (keys ending in "nomkl"). */
    private static Map<String, Object> read() {
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<?, ?>) WeightFiles.readObject(Fixtures.path("trajectory.pt"))).forEach((k, v) -> out.put((String) k, v));
        ((Map<?, ?>) WeightFiles.readObject(Fixtures.path("trajectory-nomkl.pt"))).forEach((k, v) -> {
            if (((String) k).contains("nomkl")) {
                out.put((String) k, v);
            }
        });
        return out;
    }

    private static int meta(String name) { return (int) metaLong(name); }

    private static long metaLong(String name) { return (long) doubles("meta." + name)[0]; }

    private static double metaDouble(String name) { return doubles("meta." + name)[0]; }
}
