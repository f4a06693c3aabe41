package org.leno.internal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.leno.internal.analysis.CheckpointRatios;
import org.leno.internal.analysis.GradNormStudy;
import org.leno.internal.compare.ComparisonPlan;
import org.leno.internal.compare.ComparisonPlan.Run;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.evaluate.EvaluationFiles;
import org.leno.internal.evaluate.Evaluator;
import org.leno.internal.evaluate.Validation;
import org.leno.internal.nn.Natives;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.report.ComparisonReport;
import org.leno.internal.run.RunLayout;
import org.leno.internal.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Unmatched;

/**
 * The paper's comparison in one command: every (arch, depth, seed) trained with identical flags in
 * DIR/&lt;arch&gt;&lt;depth&gt;/seed&lt;S&gt;/, seed by seed (so that an interrupted comparison has whole
 * seeds of every architecture), a rerun resuming an unfinished run and skipping a finished one; the
 * gradient norm ratios of each run at initialisation and at its first and best checkpoints (not
 * analysed again for a finished run that has them); then
 * DIR/summary.tsv, DIR/summary.json and DIR/report.html (rewritten after every run).
 */
@Command(mixinStandardHelpOptions = true, name = "compare", sortOptions = false,
        modelTransformer = ModelOptions.Families.class,
        description = {"Train several architectures at several depths over several seeds with the same flags, analyse "
                + "their gradient norms, and write a summary with paired intervals and one report page.",
                "Any other flag is a `leno train` flag, passed to every run (--data, distributed and --gpu flags too).",
                "Without --data (and --epochs): the quick start on the embedded data for 3 epochs, about 4 minutes per run "
                        + "at depth 50 on 2 cores."})
final class CompareCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--depths", arity = "1..*", split = ",", defaultValue = "50", paramLabel = "D",
            description = "Depths, each trained for every architecture (default: ${DEFAULT-VALUE}).")
    List<Integer> depths;

    @Option(names = {"--model_depth", "--model-depth"}, hidden = true, description = "One depth (as --depths D).")
    Integer depth;

    @Option(names = "--seeds", arity = "1..*", split = ",", defaultValue = "0,1,2", paramLabel = "S",
            description = "Seeds, each trained for every architecture and depth: the comparison is paired by seed "
                    + "(default: ${DEFAULT-VALUE}).")
    List<Long> seeds;

    @Option(names = "--seed", hidden = true, description = "One seed (as --seeds S).")
    Long seed;

    @Option(names = "--baseline", defaultValue = "resnet", paramLabel = "ARCH",
            description = "The architecture the others are compared with, depth by depth (default: ${DEFAULT-VALUE}).")
    String baseline;

    @Option(names = {"--result_path", "--result-path"}, defaultValue = "results/compare", paramLabel = "DIR",
            description = "Runs go to DIR/<arch><depth>/seed<S>/, the summary to DIR/summary.tsv and .json, the page to "
                    + "DIR/report.html (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--gradnorm-batches", defaultValue = "4", paramLabel = "N",
            description = "Batches of training images that each gradient-norm curve averages (default: ${DEFAULT-VALUE}).")
    int gradnormBatches;

    @Option(names = "--report-only", description = "Train nothing: write the summary and the page of the runs in DIR as they are.")
    boolean reportOnly;

    @Option(names = "--validate", description = "After each run, leno validate its best checkpoint into RUN/eval-val (unless "
            + "an evaluation newer than the checkpoint is there), so that the page puts per-class accuracy side by side.")
    boolean validate;

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    @Override
    public Integer call() {
        ComparisonPlan plan = plan();
        ComparisonReport report = plan.report();
        if (!reportOnly) {
            for (Run run : plan.runs()) {
                int code = trainAndAnalyse(run);
                if (code == 0 && validate) {
                    code = validate(run);
                }
                if (code != 0) {
                    return code;
                }
                report.write(dir);
            }
        }
        report.write(dir).forEach(System.out::println);
        System.out.println("=> wrote " + dir.resolve("summary.tsv") + ", summary.json and report.html");
        return 0;
    }

    /** The runs, their folders checked unless only the report is written. */
    ComparisonPlan plan() {
        ComparisonPlan plan = ComparisonPlan.of(new ComparisonPlan.Spec(ModelOptions.Families.archs(spec), depth != null ? List.of(depth) : depths,
                seed != null ? List.of(seed) : seeds, baseline, dir, trainArgs, gradnormBatches));
        if (!reportOnly) {
            plan.checkFolders();
        }
        return plan;
    }

    private int trainAndAnalyse(Run run) {
        TrainConfig cfg = run.config();
        Path gradnorm = new RunLayout(run.dir()).gradnormDir();
        if (run.finished()) {
            System.out.println("=> " + run.name() + ": finished (" + cfg.schedule().epochs() + " epochs), not trained again");
            String model = run.arch() + run.depth();
            if (Files.isRegularFile(gradnorm.resolve("init").resolve(model + ".csv"))
                    && Files.isRegularFile(gradnorm.resolve(model + CheckpointRatios.INDEX_SUFFIX))) {
                return 0;
            }
        } else {
            System.out.println("=> " + run.name() + ": training in " + run.dir());
            int code = train(run);
            if (code != 0) {
                System.err.println("leno compare: the run " + run.name() + " ended with exit code " + code
                        + "; rerun the same command to resume it");
                return code;
            }
        }
        return gradnorm(run, gradnorm.resolve("init"), false) == 0 ? gradnorm(run, gradnorm, true) : 1;
    }

    /** The run trained in this process, as `leno train` trains it; a failure is its one line and exit code 1. */
    private static int train(Run run) {
        try {
            return TrainRun.run(run.resolved(), run.args());
        } catch (InterruptedException | RuntimeException e) {
            System.err.println("leno train: error: " + Main.oneLine(e));
            return 1;
        }
    }

    /** One gradient-norm study of the run; a failure is its one line and exit code 1. */
    private static int gradnorm(Run run, Path out, boolean checkpoints) {
        try {
            Natives.threads(0); // as leno gradnorm: all cores
            new GradNormStudy(run.gradnorm(out, checkpoints, new ImageLimitOptions().maxImagePixels()), System.out).run();
            System.out.println("wrote " + out.toAbsolutePath());
            return 0;
        } catch (RuntimeException e) {
            System.err.println("leno gradnorm: error: " + Main.oneLine(e));
            return 1;
        }
    }

    /** `leno validate --weights RUN` into RUN/eval-val, unless an evaluation newer than the best checkpoint is there. */
    private static int validate(Run run) {
        Path summary = new RunLayout(run.dir()).evaluation("val").resolve(EvaluationFiles.SUMMARY);
        Path best = ModelFile.resolve(run.dir());
        try {
            if (Files.isRegularFile(summary)
                    && Files.getLastModifiedTime(summary).compareTo(Files.getLastModifiedTime(best)) > 0) {
                return 0;
            }
        } catch (IOException e) {
            // cannot tell: evaluate again
        }
        System.out.println("=> " + run.name() + ": validating " + best);
        try {
            Validation.Outcome outcome = Validation.run(Validation.Settings.ofRun(run.dir(), ImageDecoder.DEFAULT_MAX_PIXELS),
                    new Evaluator.Listener() { }, System.out::println);
            System.out.printf(Locale.ROOT, " * Acc@1 %.3f Acc@5 %.3f%n=> wrote %s%n", outcome.result().evaluation().acc1(),
                    outcome.result().evaluation().acc5(), outcome.folder());
            return 0;
        } catch (IOException | RuntimeException e) {
            System.err.println("leno compare: validating " + run.name() + ": " + Main.oneLine(e));
            return 1;
        }
    }
}
