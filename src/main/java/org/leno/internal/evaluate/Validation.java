package org.leno.internal.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import org.leno.internal.predict.FoldedForward;
import org.leno.internal.predict.ImageClassifier;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.predict.Overrides;
import org.leno.internal.run.RunLayout;

/**
 * {@code leno validate} as a library call: a model file over a labelled data set, its evaluation
 * written to a folder. The command line and {@code leno compare} both run it; a run folder needs no
 * setting but its weights (its args.json names the data, its model card the model).
 */
public final class Validation {
    /**
     * What to evaluate and where to write it.
     *
     * @param weights        a run folder or a weights file
     * @param data           the images (an ImageFolder, DIR/split, or fashion-mnist); null: the run's
     *                       (its args.json), else the embedded subset
     * @param valSamples     images to evaluate, stratified; null: the run's when evaluating its own data, else all
     * @param out            the folder to write; null: RUN_DIR/eval-SPLIT (beside a weights file: eval-SPLIT-NAME)
     * @param workers        threads decoding images (0: on the evaluating thread)
     * @param commandLine    the flags as given, recorded in summary.json
     */
    public record Settings(Path weights, boolean ema, Overrides overrides, String data, String split, Integer valSamples,
                           Tta tta, int batchSize, int workers, long maxImagePixels, Path out, List<String> commandLine) {
        public Settings {
            if (workers < 0) {
                throw new IllegalArgumentException("--workers must not be negative, got " + workers);
            }
            commandLine = List.copyOf(commandLine);
        }

        /** A run folder's best model on its own validation data, plain centre crop, written to RUN_DIR/eval-val. */
        public static Settings ofRun(Path runDir, long maxImagePixels) {
            return new Settings(runDir, false, Overrides.none(), null, "val", null, Tta.NONE, 32, 4, maxImagePixels, null,
                    List.of("--weights", runDir.toString()));
        }
    }

    /** The evaluation and the folder it was written to. */
    public record Outcome(Evaluator.Result result, Path folder) {}

    private Validation() {
    }

    /** The folder {@code s} writes to. */
    private static Path target(Settings s) {
        return s.out() != null ? s.out() : defaultOut(s.weights(), s.split());
    }

    /**
     * Evaluates and writes the folder (replaced whole at the end); {@code started} hears one line naming the
     * model, the data and the image count before the first image, {@code listener} the progress.
     */
    public static Outcome run(Settings s, Evaluator.Listener listener, Consumer<String> started) throws IOException {
        Optional<JsonNode> runArgs = runArgs(s.weights());
        String data = s.data() != null ? s.data() : runArgs.map(a -> text(a.get("data"))).orElse(null);
        int samples = s.valSamples() != null ? s.valSamples()
                : s.data() == null ? runArgs.map(a -> a.path("val_samples").asInt(0)).orElse(0) : 0;
        Path target = target(s);
        EvaluationFiles.checkTarget(target, "--out");
        ModelFile file = ModelFile.read(s.weights(), s.ema());
        ExecutorService pool = s.workers() == 0 ? null : Executors.newFixedThreadPool(s.workers(), r -> {
            Thread t = new Thread(r, "leno-validate");
            t.setDaemon(true);
            return t;
        });
        try (ImageClassifier classifier = ImageClassifier.open(file, s.overrides(), s.maxImagePixels(),
                FoldedForward.Precision.FP32)) {
            Evaluator evaluator = new Evaluator(classifier, s.tta(), s.batchSize(), pool);
            EvaluationData images = EvaluationData.open(data, s.split(), samples, s.maxImagePixels());
            ClassMapping classes = ClassMapping.of(images.source().classes(), classifier.setup().classNames(),
                    classifier.setup().model().nClasses(), images.description());
            started.accept("=> evaluating " + classifier.setup().model().name() + " (" + file.file() + ") on "
                    + images.description() + ": " + images.source().size() + " images"
                    + (s.tta() == Tta.NONE ? "" : ", " + s.tta().flag() + " (" + s.tta().views() + " views each)"));
            Evaluator.Result result = evaluator.run(images.source(), classes, listener);
            EvaluationSummary.Context context = new EvaluationSummary.Context(file.file().toString(), images.description(),
                    s.split(), s.tta(), s.batchSize(), s.commandLine(), classifier.setup().card().toMap());
            EvaluationFiles.write(target, EvaluationSummary.of(result, context), result.evaluation());
            return new Outcome(result, target);
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
    }

    /** A run folder's args.json: of {@code weights} when it is a folder, else of the weights file's folder; empty without one. */
    static Optional<JsonNode> runArgs(Path weights) throws IOException {
        Path dir = Files.isDirectory(weights) ? weights : weights.toAbsolutePath().getParent();
        Path args = dir == null ? null : new RunLayout(dir).args();
        if (args == null || !Files.isRegularFile(args)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ObjectMapper().readTree(args.toFile()));
        } catch (IOException e) {
            throw new IllegalArgumentException(args + ": not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
    }

    /** RUN_DIR/eval-SPLIT for a run folder; FOLDER/eval-SPLIT-NAME beside a weights file FOLDER/NAME.ext. */
    static Path defaultOut(Path weights, String split) {
        if (Files.isDirectory(weights)) {
            return new RunLayout(weights).evaluation(split);
        }
        String name = weights.getFileName().toString().replaceFirst("(\\.pth\\.tar|\\.pth|\\.pt|\\.safetensors|\\.tar)$", "");
        Path parent = weights.toAbsolutePath().getParent();
        return new RunLayout(parent).evaluation(split + "-" + name);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asText();
    }
}
