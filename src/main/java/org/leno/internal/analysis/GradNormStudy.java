package org.leno.internal.analysis;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.OptionalInt;
import org.leno.internal.data.augment.TrainTransform;
import org.leno.internal.data.datasets.Datasets;
import org.leno.internal.data.datasets.ImageSource;
import org.leno.internal.data.loader.Batch;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.data.loader.EpochSampler;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.Natives;

/**
 * The gradient norm ratios of models written as CSV and charts ({@code leno gradnorm}, and
 * {@code leno compare} for each run): one curve per model at initialisation or from one weights
 * file, or one curve per checkpoint of one model and their evolution in epoch order.
 */
public final class GradNormStudy {
    /** --data for the embedded Fashion-MNIST subset (what `leno train` uses without --data). */
    public static final String EMBEDDED = "embedded";
    /** Images per batch unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 8;

    /**
     * What to analyse and how.
     *
     * @param models the models (one when there are several weights files)
     * @param weights weights files; none: the seed's initialisation
     * @param series one curve per weights file and their evolution (several files, or a glob)
     * @param ema the checkpoints' weight averages
     * @param data real images from ROOT/train (fashion-mnist, {@link #EMBEDDED}); null: N(0,1) inputs
     * @param maxImagePixels the decoder's limit for real images
     * @param out the output folder
     */
    public record Settings(List<ModelConfig> models, List<Path> weights, boolean series, boolean ema, String data,
                           long maxImagePixels, int batchSize, int imageSize, int batches, long seed, boolean evalMode,
                           Path out) {
        public Settings {
            if (!weights.isEmpty() && models.size() > 1) {
                throw new IllegalArgumentException("--weights goes with one architecture, got " + models.size());
            }
            if (batches < 1 || batchSize < 1 || imageSize < 1) {
                throw new IllegalArgumentException("--batches, --batch-size and --image-size must be positive");
            }
            models = List.copyOf(models);
            weights = List.copyOf(weights);
        }
    }

    private final Settings s;
    private final PrintStream log;

    /** {@code log}: where each curve's summary goes. */
    public GradNormStudy(Settings settings, PrintStream log) {
        this.s = settings;
        this.log = log;
    }

    /** Writes the curves and charts into the output folder. */
    public void run() {
        try {
            Files.createDirectories(s.out());
            if (s.series()) {
                analyseCheckpoints(s.models().get(0), s.weights());
            } else {
                analyseModels(s.models(), s.weights().isEmpty() ? null : s.weights().get(0));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + s.out() + ": " + e.getMessage(), e);
        }
    }

    /** One curve per model (at init or from one weights file), and one figure of them all. */
    private void analyseModels(List<ModelConfig> configs, Path file) throws IOException {
        List<GradNormResult> results = new ArrayList<>();
        for (ModelConfig c : configs) {
            Natives.seed(s.seed());
            try (ResidualNetwork net = ModelRegistry.create(c)) {
                if (file != null) {
                    ModelWeights.load(net, file, s.ema());
                }
                GradNormResult r = analyse(net);
                results.add(r);
                Path base = s.out().resolve(c.name());
                r.writeCsv(Path.of(base + ".csv"));
                Charts.save(Charts.gradNorm(List.of(r), c.arch().displayName()), base, true);
                log.print(r.summary());
            }
        }
        if (results.size() > 1) {
            Charts.save(Charts.gradNorm(results, "gradient norm ratio, depth " + configs.get(0).depth()),
                    s.out().resolve("gradnorm"), true);
        }
    }

    /** One curve per checkpoint of one model, on the same inputs, and their evolution in epoch order. */
    private void analyseCheckpoints(ModelConfig c, List<Path> files) throws IOException {
        List<String> labels = CheckpointRatios.labels(files);
        List<CheckpointRatios> all = new ArrayList<>();
        Natives.seed(s.seed());
        try (ResidualNetwork net = ModelRegistry.create(c)) {
            for (int i = 0; i < files.size(); i++) {
                WeightFiles.Loaded loaded = ModelWeights.load(net, files.get(i), s.ema());
                CheckpointRatios r = new CheckpointRatios(labels.get(i), epochOf(loaded), files.get(i), analyse(net));
                r.result().writeCsv(s.out().resolve(r.csvName()));
                all.add(r);
                log.println(files.get(i) + ":");
                log.print(r.result().summary());
            }
        }
        List<CheckpointRatios> ordered = CheckpointRatios.inEpochOrder(all);
        CheckpointRatios.writeIndex(ordered, s.out().resolve(c.name() + CheckpointRatios.INDEX_SUFFIX));
        Charts.save(Charts.checkpointEvolution(ordered, c.arch().displayName() + "-" + c.depth() + " over training"),
                s.out().resolve(c.name() + "_evolution"), true);
    }

    /** The ratios of {@code net} as it is, on inputs drawn from seed + 1 (the same for every model and checkpoint). */
    private GradNormResult analyse(ResidualNetwork net) {
        Natives.seed(s.seed() + 1);
        if (s.data() == null) {
            return GradNormAnalysis.run(net, GradNormAnalysis.randomInputs(s.batchSize(), s.imageSize(),
                    net.config().nClasses()), s.batches(), s.evalMode());
        }
        ImageSource train = Datasets.open(new Datasets.Spec(EMBEDDED.equals(s.data()) ? null : s.data(), false, s.imageSize(),
                net.config().nClasses(), s.seed(), s.maxImagePixels()), "train");
        try (DataLoader loader = new DataLoader(train, TrainTransform.imagenet(s.imageSize()),
                EpochSampler.single(train.size(), true, s.seed()), new DataLoader.Config(s.batchSize(), 2, true, s.seed(), false))) {
            return GradNormAnalysis.run(net, realInputs(loader), s.batches(), s.evalMode());
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
