package org.leno.internal.cli;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.ComputeDevice;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.OpProfile;
import org.leno.internal.nn.PeakFlops;
import org.leno.internal.train.Amp;
import org.leno.internal.train.Parameters;
import org.leno.internal.train.Sgd;
import org.leno.internal.train.TrainStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "model", modelTransformer = ModelOptions.class, description = {
        "Images/s of full training steps (forward, loss, backward, SGD) on random data, the useful FLOP/s of a step "
                + "(3 x the convolutions' and classifier's forward multiply-adds x 2 FLOPs per image) and their share "
                + "of the machine's peak (as `leno bench gemm` measures it, at the step's precision, in this process).",
        "With --profile, more steps then show where the time goes, by phase and operator: forward operators timed "
                + "around each libtorch call, backward by libtorch's own autograd nodes."})
final class BenchModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(64);

    @Option(names = {"--image-size", "--image_size"}, defaultValue = "28", description = "Square input size (default: ${DEFAULT-VALUE}, as the quick start).")
    int imageSize;

    @Option(names = "--iters", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--amp", defaultValue = "none",
            description = "none, bf16 (autocast) or fp16 (CUDA autocast with the loss scaler; needs --gpu).")
    String amp;

    @Option(names = "--gpu", paramLabel = "N", description = "Time the step on CUDA device N (the GPU build); the peak is then not measured.")
    Integer gpu;

    @Option(names = {"--channels-last", "--channels_last"}, negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Channels-last (NHWC) weights and batch, as leno train (default: on; --no-channels-last for NCHW).")
    boolean channelsLast;

    @Option(names = "--profile", description = "After the timed steps, profile --profile-steps more and print the time by operator.")
    boolean profile;

    @Option(names = "--profile-steps", defaultValue = "5", description = "Steps the profile averages (default: ${DEFAULT-VALUE}).")
    int profileSteps;

    @Option(names = "--peak", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Measure the peak FLOP/s (bench gemm's kernels at the step's precision) for the efficiency (default: on).")
    boolean peak;

    @Mixin
    JsonOption json = new JsonOption();

    @Override
    public Integer call() throws Exception {
        validate();
        ModelConfig config = ModelOptions.config(spec);
        boolean bf16 = amp.equals("bf16");
        threads.apply();
        Natives.seed(0);
        try (ResidualNetwork net = ModelRegistry.create(config)) {
            long macs = net.macs(imageSize);
            net.train(true);
            if (channelsLast) {
                net.toChannelsLast();
            }
            ComputeDevice device = ComputeDevice.of(gpu == null ? -1 : gpu);
            device.moveModule(net);
            Sgd sgd = new Sgd(Parameters.of(net), 0.01, 0.9, 1e-4, false);
            Amp precision = Amp.valueOf(amp.toUpperCase(Locale.ROOT));
            TrainStep step = new TrainStep(net, sgd, precision, null, device, 0, 0)
                    .withScaler(precision.newScaler());
            Tensor[] batch = randomBatch(config.nClasses());
            run(step, batch, warmup);
            double stepSeconds = run(step, batch, iters) / iters;
            ProfileTable table = null;
            if (profile) {
                OpProfile p = OpProfile.recording();
                step.profile(p);
                run(step, batch, profileSteps);
                step.profile(OpProfile.none());
                table = new ProfileTable(p);
            }
            PeakFlops.Kernel peakKernel = peak && gpu == null ? PeakFlops.peak(PeakFlops.standard().measure(bf16)) : null;
            report(config, macs, stepSeconds, table, peakKernel);
        }
        return 0;
    }

    private void validate() {
        if (!amp.equals("none") && !amp.equals("bf16") && !amp.equals("fp16")) {
            throw new IllegalArgumentException("--amp must be none, bf16 or fp16, got " + amp);
        }
        if (amp.equals("fp16") && gpu == null) {
            throw new IllegalArgumentException("--amp fp16 needs a CUDA device (--gpu N); on the CPU use --amp bf16");
        }
        if (batch.batchSize < 1 || imageSize < 1 || iters < 1 || warmup < 0 || profileSteps < 1) {
            throw new IllegalArgumentException("--batch-size, --image-size, --iters and --profile-steps must be at least 1"
                    + " and --warmup at least 0");
        }
    }

    private Tensor[] randomBatch(int nClasses) {
        try (NativeScope scope = NativeScope.open()) {
            Tensor x = torch.randn(batch.batchSize, 3, imageSize, imageSize);
            Tensor images = scope.keep(channelsLast ? x.contiguous(torch.MemoryFormat.ChannelsLast) : x);
            Tensor labels = scope.keep(torch.randint(nClasses, new long[] {batch.batchSize}));
            return new Tensor[] {images, labels};
        }
    }

    /** Runs {@code n} steps and returns their seconds. */
    private static double run(TrainStep step, Tensor[] batch, int n) {
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            step.run(batch[0], batch[1], i, false);
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private void report(ModelConfig config, long macs, double stepSeconds, ProfileTable table, PeakFlops.Kernel peakKernel)
            throws Exception {
        double rate = batch.batchSize / stepSeconds;
        double usefulFlops = 3.0 * 2.0 * macs * batch.batchSize;
        double flopsPerSecond = usefulFlops / stepSeconds;
        if (json.enabled()) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("images_per_s", rate);
            out.put("step_s", stepSeconds);
            out.put("model", config.name());
            out.put("amp", amp);
            out.put("threads", torch.get_num_threads());
            out.put("macs_per_image", macs);
            out.put("useful_flops_per_step", usefulFlops);
            out.put("flops_per_s", flopsPerSecond);
            if (peakKernel != null) {
                out.put("peak_flops_per_s", peakKernel.flopsPerSecond());
                out.put("peak_kernel", peakKernel.operation() + " " + peakKernel.precision() + " " + peakKernel.shape());
                out.put("efficiency", flopsPerSecond / peakKernel.flopsPerSecond());
            }
            if (table != null) {
                out.put("profile", table.json(stepSeconds));
            }
            JsonOption.print(out);
            return;
        }
        System.out.printf("%.1f images/s (%.3f s/step; %s, batch %d, %dx%d, %d threads, amp %s%s)%n", rate, stepSeconds,
                config.name(), batch.batchSize, imageSize, imageSize, torch.get_num_threads(), amp, channelsLast ? ", channels-last" : "");
        System.out.printf("%.1f GFLOP/s useful (3 x %.2f GMAC x 2 per image)", flopsPerSecond / 1e9, macs / 1e9);
        if (peakKernel != null) {
            System.out.printf(", %.1f%% of the %s peak %.1f GFLOP/s (%s %s)", 100 * flopsPerSecond / peakKernel.flopsPerSecond(),
                    peakKernel.precision(), peakKernel.flopsPerSecond() / 1e9, peakKernel.operation(), peakKernel.shape());
        }
        System.out.println();
        if (table != null) {
            table.print(System.out, stepSeconds);
        }
    }
}
