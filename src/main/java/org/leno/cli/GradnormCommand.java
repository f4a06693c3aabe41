package org.leno.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.leno.analysis.Charts;
import org.leno.analysis.GradNormAnalysis;
import org.leno.analysis.GradNormResult;
import org.leno.data.Batch;
import org.leno.data.DataLoader;
import org.leno.data.Datasets;
import org.leno.data.EpochSampler;
import org.leno.data.ImageSource;
import org.leno.data.TrainTransform;
import org.leno.interop.ModelWeights;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.model.ResidualNetwork;
import org.leno.nn.Natives;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "gradnorm", sortOptions = false,
        description = {"Gradient norm ratio ||dL/dx_l|| / ||dL/dy_l|| of every residual block (the paper's figures).",
                "Writes DIR/<arch><depth>.csv, .png and .svg, and DIR/gradnorm.png for several architectures."})
final class GradnormCommand implements Callable<Integer> {
    @Option(names = {"-a", "--arch"}, defaultValue = "resnet,preactresnet,lenoresnet", split = ",",
            description = "Architectures, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> archs;

    @Option(names = {"--model_depth", "--model-depth"}, defaultValue = "200", description = "Depth (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = {"--n_classes", "--n-classes"}, defaultValue = "1000", description = "Classes (default: ${DEFAULT-VALUE}).")
    int nClasses;

    @Option(names = {"--weights", "--resume"}, paramLabel = "FILE",
            description = "State dict or checkpoint to analyse (one architecture only); default: the reference init.")
    Path weights;

    @Option(names = "--data", paramLabel = "ROOT",
            description = "Real images from ROOT/train (or fashion-mnist) through the training transform; default: N(0,1) inputs, uniform labels.")
    String data;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "8", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"--image-size", "--image_size"}, defaultValue = "224", description = "Input size S (3 x S x S) (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--batches", defaultValue = "1", description = "Batches to average (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for init and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "gradnorm", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--eval-mode", description = "BatchNorm on running statistics instead of batch statistics.")
    boolean evalMode;

    @Option(names = {"--zero_init_residual", "--zero-init-residual"}, description = "Build the models with zero-init residual branches.")
    boolean zeroInitResidual;

    @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (default: all cores).")
    int threads;

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Override
    public Integer call() throws Exception {
        if (weights != null && archs.size() > 1) {
            throw new IllegalArgumentException("--weights goes with one architecture, got -a " + String.join(",", archs));
        }
        if (batches < 1 || batchSize < 1 || imageSize < 1) {
            throw new IllegalArgumentException("--batches, --batch-size and --image-size must be positive");
        }
        List<ModelConfig> configs = new ArrayList<>();
        for (String a : archs) {
            ModelConfig c = new ModelConfig(ModelRegistry.arch(a.strip()), depth, nClasses, zeroInitResidual, 0);
            ModelRegistry.blocksPerStage(c.arch(), c.depth());
            configs.add(c);
        }
        Natives.threads(threads);
        Files.createDirectories(out);
        List<GradNormResult> results = new ArrayList<>();
        for (ModelConfig c : configs) {
            Natives.seed(seed);
            try (ResidualNetwork net = ModelRegistry.create(c)) {
                if (weights != null) {
                    ModelWeights.load(net, weights);
                }
                Natives.seed(seed + 1);
                GradNormResult r;
                if (data == null) {
                    r = GradNormAnalysis.run(net, GradNormAnalysis.randomInputs(batchSize, imageSize, nClasses), batches, evalMode);
                } else {
                    ImageSource train = Datasets.open(new Datasets.Spec(data, false, imageSize, nClasses, seed, imageLimit.maxImagePixels()), "train");
                    try (DataLoader loader = new DataLoader(train, TrainTransform.imagenet(imageSize),
                            EpochSampler.single(train.size(), true, seed), new DataLoader.Config(batchSize, 2, true, seed, false))) {
                        r = GradNormAnalysis.run(net, realInputs(loader), batches, evalMode);
                    }
                }
                results.add(r);
                Path base = out.resolve(c.name());
                r.writeCsv(Path.of(base + ".csv"));
                Charts.save(Charts.gradNorm(List.of(r), c.arch().displayName()), base, true);
                System.out.print(r.summary());
            }
        }
        if (results.size() > 1) {
            Charts.save(Charts.gradNorm(results, "gradient norm ratio, depth " + depth), out.resolve("gradnorm"), true);
        }
        System.out.println("wrote " + out.toAbsolutePath());
        return 0;
    }

    private static Iterator<GradNormAnalysis.Input> realInputs(DataLoader loader) {
        return new Iterator<>() {
            int epoch;
            DataLoader.Epoch current = loader.epoch(0);

            @Override
            public boolean hasNext() { return true; }

            @Override
            public GradNormAnalysis.Input next() {
                if (!current.hasNext()) {
                    current.close();
                    current = loader.epoch(++epoch);
                }
                try (Batch b = current.next()) {
                    return new GradNormAnalysis.Input(b.images().clone(), b.labels().clone());
                }
            }
        };
    }
}
