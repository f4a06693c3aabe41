package org.leno.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import org.leno.analysis.Charts;
import org.leno.analysis.CheckpointRatios;
import org.leno.analysis.GradNormAnalysis;
import org.leno.analysis.GradNormResult;
import org.leno.data.augment.TrainTransform;
import org.leno.data.datasets.Datasets;
import org.leno.data.datasets.ImageSource;
import org.leno.data.loader.Batch;
import org.leno.data.loader.DataLoader;
import org.leno.data.loader.EpochSampler;
import org.leno.interop.WeightFiles;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.model.ModelWeights;
import org.leno.model.ResidualNetwork;
import org.leno.nn.Natives;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "gradnorm", sortOptions = false,
        defaultValueProvider = FamilyDefaults.class,
        description = {"Gradient norm ratio ||dL/dx_l|| / ||dL/dy_l|| of every residual block (the paper's figures).",
                "Writes DIR/<arch><depth>.csv, .png and .svg, and DIR/gradnorm.png for several architectures.",
                "With several --weights (or a glob): DIR/<arch><depth>_<label>.csv per checkpoint, "
                        + "DIR/<arch><depth>_evolution.png and .svg, and the index DIR/<arch><depth>_checkpoints.tsv."})
final class GradnormCommand implements Callable<Integer> {
    @Option(names = {"-a", "--arch"}, split = ",",
            description = "Architectures, comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> archs;

    @Option(names = {"--model_depth", "--model-depth"}, defaultValue = "200", description = "Depth (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = {"--n_classes", "--n-classes"}, defaultValue = "1000", description = "Classes (default: ${DEFAULT-VALUE}).")
    int nClasses;

    @Option(names = {"--weights", "--resume"}, paramLabel = "FILE", arity = "1..*", split = ",",
            description = "State dicts or checkpoints to analyse (one architecture only); default: the reference init. "
                    + "Several files (after one flag, repeated, comma-separated or a quoted glob such as "
                    + "'runs/x/checkpoint_epoch*.pth.tar') give one curve per file, labelled by its name, and a figure "
                    + "of them in epoch order.")
    List<String> weights;

    @Option(names = "--ema", description = "Analyse the checkpoints' weight averages (model_ema, from train --model-ema).")
    boolean ema;

    @Option(names = "--data", paramLabel = "ROOT",
            description = "Real images from ROOT/train (or fashion-mnist, or embedded: the quick start's subset) through the "
                    + "training transform; default: N(0,1) inputs, uniform labels.")
    String data;

    /** --data for the embedded Fashion-MNIST subset (what `leno train` uses without --data). */
    static final String EMBEDDED = "embedded";

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

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Override
    public Integer call() throws Exception {
        List<String> weightArgs = weights == null ? List.of() : weights;
        if (!weightArgs.isEmpty() && archs.size() > 1) {
            throw new IllegalArgumentException("--weights goes with one architecture, got -a " + String.join(",", archs));
        }
        if (batches < 1 || batchSize < 1 || imageSize < 1) {
            throw new IllegalArgumentException("--batches, --batch-size and --image-size must be positive");
        }
        List<Path> files = FileGlobs.expand("--weights", weightArgs);
        List<ModelConfig> configs = new ArrayList<>();
        for (String a : archs) {
            ModelConfig c = new ModelConfig(ModelRegistry.arch(a.strip()), depth, nClasses, zeroInitResidual, 0);
            ModelRegistry.blocksPerStage(c.arch(), c.depth());
            configs.add(c);
        }
        threads.apply();
        Files.createDirectories(out);
        if (files.size() > 1 || weightArgs.stream().anyMatch(FileGlobs::isGlob)) {
            analyseCheckpoints(configs.get(0), files);
        } else {
            analyseModels(configs, files.isEmpty() ? null : files.get(0));
        }
        System.out.println("wrote " + out.toAbsolutePath());
        return 0;
    }

    /** One curve per model (at init or from one weights file), and one figure of them all. */
    private void analyseModels(List<ModelConfig> configs, Path file) throws Exception {
        List<GradNormResult> results = new ArrayList<>();
        for (ModelConfig c : configs) {
            Natives.seed(seed);
            try (ResidualNetwork net = ModelRegistry.create(c)) {
                if (file != null) {
                    ModelWeights.load(net, file, ema);
                }
                GradNormResult r = analyse(net);
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
    }

    /** One curve per checkpoint of one model, on the same inputs, and their evolution in epoch order. */
    private void analyseCheckpoints(ModelConfig c, List<Path> files) throws Exception {
        List<String> labels = CheckpointRatios.labels(files);
        List<CheckpointRatios> all = new ArrayList<>();
        Natives.seed(seed);
        try (ResidualNetwork net = ModelRegistry.create(c)) {
            for (int i = 0; i < files.size(); i++) {
                WeightFiles.Loaded loaded = ModelWeights.load(net, files.get(i), ema);
                CheckpointRatios r = new CheckpointRatios(labels.get(i), epochOf(loaded), files.get(i), analyse(net));
                r.result().writeCsv(out.resolve(r.csvName()));
                all.add(r);
                System.out.println(files.get(i) + ":");
                System.out.print(r.result().summary());
            }
        }
        List<CheckpointRatios> ordered = CheckpointRatios.inEpochOrder(all);
        CheckpointRatios.writeIndex(ordered, out.resolve(c.name() + CheckpointRatios.INDEX_SUFFIX));
        Charts.save(Charts.checkpointEvolution(ordered, c.arch().displayName() + "-" + c.depth() + " over training"),
                out.resolve(c.name() + "_evolution"), true);
    }

    /** The ratios of {@code net} as it is, on inputs drawn from seed + 1 (the same for every model and checkpoint). */
    private GradNormResult analyse(ResidualNetwork net) {
        Natives.seed(seed + 1);
        if (data == null) {
            return GradNormAnalysis.run(net, GradNormAnalysis.randomInputs(batchSize, imageSize, nClasses), batches, evalMode);
        }
        ImageSource train = Datasets.open(new Datasets.Spec(EMBEDDED.equals(data) ? null : data, false, imageSize, nClasses, seed,
                imageLimit.maxImagePixels()), "train");
        try (DataLoader loader = new DataLoader(train, TrainTransform.imagenet(imageSize),
                EpochSampler.single(train.size(), true, seed), new DataLoader.Config(batchSize, 2, true, seed, false))) {
            return GradNormAnalysis.run(net, realInputs(loader), batches, evalMode);
        }
    }

    private static OptionalInt epochOf(WeightFiles.Loaded loaded) {
        return loaded.checkpoint().map(m -> m.get("epoch")).filter(Number.class::isInstance)
                .map(n -> OptionalInt.of(((Number) n).intValue())).orElse(OptionalInt.empty());
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
