package org.leno.internal.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.leno.internal.evaluate.EvaluationMetrics;
import org.leno.internal.evaluate.Evaluator;
import org.leno.internal.evaluate.Tta;
import org.leno.internal.evaluate.Validation;
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

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(32);

    @Mixin
    WorkersOption decoders = new WorkersOption(4);

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Override
    public Integer call() throws IOException {
        Validation.Settings settings = new Validation.Settings(model.weights, model.ema, model.overrides(), data, split,
                valSamples, Tta.parse(tta), batch.batchSize, decoders.workers, imageLimit.maxImagePixels(), out,
                spec.commandLine().getParseResult().originalArgs());
        threads.apply();
        Validation.Outcome outcome = run(settings);
        print(outcome.result(), settings.tta());
        System.out.println("=> wrote " + outcome.folder().toAbsolutePath().normalize());
        return 0;
    }

    /** The validation with a progress bar on a terminal, and each unreadable image on stderr. */
    private static Validation.Outcome run(Validation.Settings settings) throws IOException {
        try (ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder().setTaskName("validate")
                .setInitialMax(1).setStyle(ProgressBarStyle.ASCII).setUnit(" images", 1).continuousUpdate().build()) {
            return Validation.run(settings, new Evaluator.Listener() {
                @Override
                public void progress(int done, int all) {
                    if (bar != null) {
                        bar.maxHint(all);
                        bar.stepTo(done);
                    }
                }

                @Override
                public void unreadable(Evaluator.Unreadable image) {
                    System.err.println("leno validate: skipped " + image.error());
                }
            }, System.out::println);
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
}
