package org.leno.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.leno.analysis.CheckpointRatios;
import org.leno.analysis.GradNormStudy;
import org.leno.evaluate.EvaluationFiles;
import org.leno.model.Arch;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.nn.Natives;
import org.leno.predict.ModelFile;
import org.leno.report.ComparisonReport;
import org.leno.run.RunLayout;
import org.leno.train.TrainConfig;
import org.leno.train.TrainConfigResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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
        defaultValueProvider = FamilyDefaults.class,
        description = {"Train several architectures at several depths over several seeds with the same flags, analyse "
                + "their gradient norms, and write a summary with paired intervals and one report page.",
                "Any other flag is a `leno train` flag, passed to every run (--data, distributed and --gpu flags too).",
                "Without --data (and --epochs): the quick start on the embedded data for 3 epochs, about 4 minutes per run "
                        + "at depth 50 on 2 cores."})
final class CompareCommand implements Callable<Integer> {
    @Option(names = {"-a", "--arch"}, split = ",", paramLabel = "ARCH",
            description = "Architectures to compare (default: ${DEFAULT-VALUE}).")
    List<String> archs;

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

    /**
     * Without --data: the quick start, cut to 3 epochs (decaying the rate at 2) so that a run
     * takes about 4 minutes on 2 cores at depth 50.
     */
    static final List<String> EMBEDDED_DEFAULTS = List.of("--epochs", "3", "--lr_steps", "2");

    /** args.json keys that may differ between the runs of one comparison. */
    static final Set<String> PER_RUN_KEYS = Set.of("seed", "result_path");
    /** args.json keys that `leno train`'s launcher rewrites for each worker of a multiprocessing-distributed run. */
    static final Set<String> LAUNCHER_KEYS = Set.of("dist_url", "world_size", "rank", "threads", "gpu", "batch_size", "workers");

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    /** leno gradnorm's default batch size. */
    private static final int GRADNORM_BATCH_SIZE = GradNormStudy.DEFAULT_BATCH_SIZE;

    /** One run of the comparison and its `leno train` flags. */
    record Run(String arch, int depth, long seed, Path dir, List<String> args, TrainConfigResolver.Resolved resolved) {
        String name() {
            return arch + depth + "/seed" + seed;
        }
    }

    @Override
    public Integer call() {
        List<Run> runs = plan();
        ComparisonReport report = new ComparisonReport(baseline, runs.get(0).resolved().config().schedule().epochs(),
                runs.stream().map(r -> new ComparisonReport.Planned(r.arch(), r.depth(), r.seed(), r.dir())).toList());
        if (!reportOnly) {
            for (Run run : runs) {
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

    /** The runs in training order (seed, depth, arch), their flags checked against any args.json already there. */
    List<Run> plan() {
        if (depth != null) {
            depths = List.of(depth);
        }
        if (seed != null) {
            seeds = List.of(seed);
        }
        for (String a : archs) {
            Arch arch = Arch.byId(a).orElseThrow(() -> new IllegalArgumentException("-a " + a + ": not an architecture ("
                    + Arrays.stream(Arch.values()).map(Arch::id).collect(Collectors.joining(", ")) + ")"));
            for (int d : depths) {
                if (!ModelRegistry.depths(arch).contains(d)) {
                    throw new IllegalArgumentException("--depths " + d + ": not a depth of " + a + " ("
                            + ModelRegistry.depths(arch).stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
                }
            }
        }
        unique("-a", archs);
        unique("--depths", depths);
        unique("--seeds", seeds);
        if (Arch.byId(baseline).isEmpty()) {
            throw new IllegalArgumentException("--baseline " + baseline + ": not an architecture");
        }
        List<Run> runs = new ArrayList<>();
        for (long s : seeds) {
            for (int d : depths) {
                for (String a : archs) {
                    Path folder = dir.resolve(a + d).resolve("seed" + s);
                    List<String> args = trainArgs(a, d, s, folder);
                    runs.add(new Run(a, d, s, folder, args, new TrainConfigResolver().resolve(args)));
                }
            }
        }
        if (!reportOnly) {
            runs.forEach(this::checkArgs);
        }
        return runs;
    }

    private static void unique(String flag, List<?> values) {
        if (new HashSet<>(values).size() < values.size()) {
            throw new IllegalArgumentException(flag + " " + values.stream().map(String::valueOf).collect(Collectors.joining(" "))
                    + ": a value given twice");
        }
    }

    /** Refuses a run folder that was trained with other flags than this comparison's. */
    private void checkArgs(Run run) {
        Set<String> ignored = new HashSet<>(PER_RUN_KEYS);
        if (run.resolved().config().distributed().multiprocessingDistributed()) {
            ignored.addAll(LAUNCHER_KEYS);
        }
        List<String> differing = ComparisonReport.differingFlags(run.resolved().args(), run.dir(), ignored);
        if (!differing.isEmpty()) {
            throw new IllegalArgumentException(new RunLayout(run.dir()).args() + ": trained with other flags than this comparison: "
                    + String.join(", ", differing) + " (another --result_path, or the flags of that comparison)");
        }
    }

    private int trainAndAnalyse(Run run) {
        TrainConfig cfg = run.resolved().config();
        Path gradnorm = run.dir().resolve("gradnorm");
        if (finished(run.dir(), cfg.schedule().epochs())) {
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
        return gradnorm(run, cfg, gradnorm.resolve("init"), false) == 0 ? gradnorm(run, cfg, gradnorm, true) : 1;
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
    private int gradnorm(Run run, TrainConfig cfg, Path out, boolean checkpoints) {
        try {
            Natives.threads(0); // as leno gradnorm: all cores
            new GradNormStudy(gradnormSettings(run, cfg, out, checkpoints), System.out).run();
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
        int code = Main.run("validate", "--weights", run.dir().toString());
        if (code != 0) {
            System.err.println("leno compare: validating " + run.name() + " ended with exit code " + code);
        }
        return code;
    }

    /** The run's flags: the user's, then ours (later flags win in `leno train`). */
    private List<String> trainArgs(String arch, int d, long s, Path run) {
        List<String> args = new ArrayList<>();
        if (!given("--data") && !given("--dummy") && !given("--epochs") && !given("--config")) {
            args.addAll(EMBEDDED_DEFAULTS);
        }
        args.addAll(trainArgs);
        args.addAll(List.of("-a", arch, "--model_depth", String.valueOf(d), "--seed", String.valueOf(s),
                "--result_path", run.toString(), "--resume", "auto", "--keep-epochs", "1"));
        return args;
    }

    /** Whether the user gave this train flag (as "--flag value" or "--flag=value"). */
    private boolean given(String flag) {
        return trainArgs.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
    }

    /**
     * gradnorm through the run's training transform: at initialisation (the model the seed draws, as
     * `leno train` draws it) or on the first epoch's and the best checkpoint.
     */
    private GradNormStudy.Settings gradnormSettings(Run run, TrainConfig cfg, Path out, boolean checkpoints) {
        ModelConfig model = new ModelConfig(ModelRegistry.arch(run.arch()), run.depth(), cfg.model().nClasses(),
                cfg.model().zeroInitResidual(), 0);
        List<Path> weights = new ArrayList<>();
        if (checkpoints) {
            RunLayout layout = new RunLayout(run.dir());
            for (Path p : List.of(layout.epochCheckpoint(1), layout.best())) {
                if (Files.isRegularFile(p)) {
                    weights.add(p);
                }
            }
        }
        String data = cfg.data().dummy() ? null // synthetic runs: N(0,1) inputs
                : cfg.data().data() == null ? GradNormStudy.EMBEDDED : cfg.data().data();
        return new GradNormStudy.Settings(List.of(model), weights, weights.size() > 1, false, data,
                new ImageLimitOptions().maxImagePixels(), GRADNORM_BATCH_SIZE, cfg.data().trainCropSize(), gradnormBatches,
                run.seed(), false, out);
    }

    /** Whether train.log holds the last epoch's row and its checkpoint exists. */
    static boolean finished(Path run, int epochs) {
        Path log = new RunLayout(run).trainLog();
        if (!Files.isRegularFile(log) || !Files.isRegularFile(new RunLayout(run).checkpoint())) {
            return false;
        }
        try {
            return Files.readAllLines(log).stream().skip(1).anyMatch(l -> l.startsWith(epochs + "\t"));
        } catch (IOException e) {
            return false;
        }
    }
}
