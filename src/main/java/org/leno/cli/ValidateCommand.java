package org.leno.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.leno.evaluate.ClassMapping;
import org.leno.evaluate.EvaluationMetrics;
import org.leno.evaluate.EvaluationData;
import org.leno.evaluate.EvaluationFiles;
import org.leno.evaluate.EvaluationSummary;
import org.leno.evaluate.Evaluator;
import org.leno.evaluate.Tta;
import org.leno.predict.FoldedForward;
import org.leno.predict.ImageClassifier;
import org.leno.predict.ModelFile;
import org.leno.run.RunLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "validate", modelTransformer = ModelOptions.class, sortOptions = false,
        description = {"Evaluate a trained model on labelled images: Acc@1/5, loss, per-class precision, recall and F1, "
                + "the confusion matrix, calibration (ECE, reliability diagram) and every image's prediction, written to "
                + "a folder (summary.json, per_class.csv, confusion.csv/.png, confused_pairs.csv, reliability.png, "
                + "predictions.csv).",
                "A run folder needs no other flag: its model card names the model, classes and transform, and its "
                        + "args.json the data (--data and --val-samples)."})
final class ValidateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelFileOptions model = new ModelFileOptions();

    @Option(names = "--data", paramLabel = "DIR",
            description = "The images: DIR/<split> when it exists, else DIR itself as an ImageFolder (DIR/<class>/<image>; "
                    + "any subset of the model's classes, matched by name), or fashion-mnist. Default: the run's data "
                    + "(its args.json), else the embedded Fashion-MNIST subset.")
    String data;

    @Option(names = "--split", defaultValue = "val", description = "The split to evaluate (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--out", paramLabel = "DIR",
            description = "The folder to write (replaced whole at the end; default: RUN_DIR/eval-<split>, "
                    + "or eval-<split>-<file> beside a weights file).")
    Path out;

    @Option(names = "--tta", defaultValue = "none", paramLabel = "none|flip|five-crop|ten-crop",
            description = "Test-time augmentation, logits averaged over the views: the centre crop and its mirror (flip), "
                    + "torchvision's FiveCrop or TenCrop of the resized image (default: ${DEFAULT-VALUE}).")
    String tta;

    @Option(names = {"--val-samples", "--val_samples"}, paramLabel = "N",
            description = "Evaluate N images, stratified as train --val-samples chooses them (default: the run's, "
                    + "when evaluating the run's own data; else all).")
    Integer valSamples;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "32", description = "Inputs per forward pass (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"-j", "--workers"}, defaultValue = "4", description = "Threads decoding images (default: ${DEFAULT-VALUE}).")
    int workers;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Override
    public Integer call() throws IOException {
        if (workers < 0) {
            throw new IllegalArgumentException("--workers must not be negative, got " + workers);
        }
        Tta mode = Tta.parse(tta);
        Optional<JsonNode> runArgs = runArgs(model.weights);
        String dataArg = data != null ? data : runArgs.map(a -> text(a.get("data"))).orElse(null);
        int samples = valSamples != null ? valSamples
                : data == null ? runArgs.map(a -> a.path("val_samples").asInt(0)).orElse(0) : 0;
        Path target = out != null ? out : defaultOut(model.weights, split);
        EvaluationFiles.checkTarget(target, "--out");
        threads.apply();
        ModelFile file = model.read();
        ExecutorService pool = workers == 0 ? null : Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "leno-validate");
            t.setDaemon(true);
            return t;
        });
        try (ImageClassifier classifier = ImageClassifier.open(file, model.overrides(), imageLimit.maxImagePixels(),
                FoldedForward.Precision.FP32)) {
            Evaluator evaluator = new Evaluator(classifier, mode, batchSize, pool);
            EvaluationData images = EvaluationData.open(dataArg, split, samples, imageLimit.maxImagePixels());
            ClassMapping classes = ClassMapping.of(images.source().classes(), classifier.setup().classNames(),
                    classifier.setup().model().nClasses(), images.description());
            System.out.println("=> evaluating " + classifier.setup().model().name() + " (" + file.file() + ") on "
                    + images.description() + ": " + images.source().size() + " images"
                    + (mode == Tta.NONE ? "" : ", " + mode.flag() + " (" + mode.views() + " views each)"));
            Evaluator.Result result = run(evaluator, images, classes);
            EvaluationSummary.Context context = new EvaluationSummary.Context(file.file().toString(), images.description(),
                    split, mode, batchSize, spec.commandLine().getParseResult().originalArgs(),
                    classifier.setup().card().toMap());
            EvaluationFiles.write(target, EvaluationSummary.of(result, context), result.evaluation());
            print(result, mode);
            System.out.println("=> wrote " + target.toAbsolutePath().normalize());
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return 0;
    }

    private static Evaluator.Result run(Evaluator evaluator, EvaluationData images, ClassMapping classes) {
        int total = images.source().size();
        try (ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("validate")
                .setInitialMax(total).setStyle(ProgressBarStyle.ASCII).setUnit(" images", 1).continuousUpdate().build()) {
            return evaluator.run(images.source(), classes, new Evaluator.Listener() {
                @Override
                public void progress(int done, int all) {
                    if (bar != null) {
                        bar.stepTo(done);
                    }
                }

                @Override
                public void unreadable(Evaluator.Unreadable image) {
                    System.err.println("leno validate: skipped " + image.error());
                }
            });
        }
    }

    /** The trainer's summary line, then the other headline numbers. */
    private static void print(Evaluator.Result r, Tta mode) {
        EvaluationMetrics e = r.evaluation();
        System.out.printf(Locale.ROOT, " * Acc@1 %.3f Acc@5 %.3f%n", e.acc1(), e.acc5());
        System.out.printf(Locale.ROOT, "=> loss %.4f, macro F1 %.4f, balanced accuracy %.4f, ECE %.4f over %d images"
                        + " (%d unreadable, skipped), %.1f images/s%n", e.nll(), e.macro().f1(), e.balancedAccuracy(),
                e.expectedCalibrationError(), e.count(), r.unreadable().size(), r.offered() / r.seconds());
        r.plain().ifPresent(p -> System.out.printf(Locale.ROOT,
                "=> %s: Acc@1 %.3f against %.3f for the plain centre crop (%+.3f), Acc@5 %.3f against %.3f (%+.3f)%n",
                mode.flag(), e.acc1(), p.acc1(), e.acc1() - p.acc1(), e.acc5(), p.acc5(), e.acc5() - p.acc5()));
    }

    /** A run folder's args.json: of --weights when it is a folder, else of the weights file's folder; empty without one. */
    static Optional<JsonNode> runArgs(Path weights) throws IOException {
        Path dir = Files.isDirectory(weights) ? weights : weights.toAbsolutePath().getParent();
        Path args = dir == null ? null : new RunLayout(dir).args();
        if (args == null || !Files.isRegularFile(args)) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ObjectMapper().readTree(args.toFile()));
        } catch (IOException e) {
            throw new IllegalArgumentException(args + ": not JSON (" + Main.oneLine(e) + ")");
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
