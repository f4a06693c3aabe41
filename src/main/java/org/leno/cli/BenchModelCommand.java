package org.leno.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.model.ResidualNetwork;
import org.leno.nn.NativeScope;
import org.leno.nn.Natives;
import org.leno.train.Sgd;
import org.leno.train.TrainStep;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "model", modelTransformer = ModelOptions.class, description = "Images/s of full training steps (forward, loss, backward, SGD) on random data.")
final class BenchModelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "64", description = "Batch size (default: ${DEFAULT-VALUE}, as leno train's quick start).")
    int batchSize;

    @Option(names = {"--image-size", "--image_size"}, defaultValue = "28", description = "Square input size (default: ${DEFAULT-VALUE}, as the quick start).")
    int imageSize;

    @Option(names = "--iters", defaultValue = "20", description = "Timed steps (default: ${DEFAULT-VALUE}).")
    int iters;

    @Option(names = "--warmup", defaultValue = "3", description = "Untimed steps first (default: ${DEFAULT-VALUE}).")
    int warmup;

    @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (default: all cores).")
    int threads;

    @Option(names = "--amp", defaultValue = "none", description = "none or bf16 (CPU autocast).")
    String amp;

    @Option(names = {"--channels-last", "--channels_last"}, negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Channels-last (NHWC) weights and batch, as leno train (default: on; --no-channels-last for NCHW).")
    boolean channelsLast;

    @Option(names = "--json", description = "Print one line {\"images_per_s\": ...}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if (!amp.equals("none") && !amp.equals("bf16")) {
            throw new IllegalArgumentException("--amp must be none or bf16, got " + amp);
        }
        ModelConfig config = ModelOptions.config(spec);
        Natives.threads(threads);
        Natives.seed(0);
        try (ResidualNetwork net = ModelRegistry.create(config)) {
            net.train(true);
            if (channelsLast) {
                net.toChannelsLast();
            }
            Sgd sgd = new Sgd(org.leno.train.Parameters.of(net), 0.01, 0.9, 1e-4, false);
            TrainStep step = new TrainStep(net, sgd, amp.equals("bf16"));
            Tensor images;
            Tensor labels;
            try (NativeScope scope = NativeScope.open()) {
                Tensor x = torch.randn(batchSize, 3, imageSize, imageSize);
                images = scope.keep(channelsLast ? x.contiguous(torch.MemoryFormat.ChannelsLast) : x);
                labels = scope.keep(torch.randint(config.nClasses(), new long[] {batchSize}));
            }
            for (int i = 0; i < warmup; i++) {
                step.run(images, labels, i, false);
            }
            long start = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                step.run(images, labels, i, false);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = (double) iters * batchSize / seconds;
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("images_per_s", rate);
                out.put("step_s", seconds / iters);
                System.out.println(new ObjectMapper().writeValueAsString(out));
            } else {
                System.out.printf("%.1f images/s (%.3f s/step; %s, batch %d, %dx%d, %d threads, amp %s%s)%n", rate,
                        seconds / iters, config.name(), batchSize, imageSize, imageSize, torch.get_num_threads(), amp,
                        channelsLast ? ", channels-last" : "");
            }
        }
        return 0;
    }
}
