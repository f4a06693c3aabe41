package org.leno.internal.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.leno.internal.analysis.GradNormStudy;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.report.ComparisonReport;
import org.leno.internal.run.RunLayout;
import org.leno.internal.train.TrainConfig;
import org.leno.internal.train.TrainConfigResolver;

/**
 * The runs of a comparison ({@code leno compare}): every (arch, depth, seed) in training order (seed,
 * depth, arch), each in DIR/&lt;arch&gt;&lt;depth&gt;/seed&lt;S&gt;/ with the same training flags, resolved as
 * {@code leno train} resolves them, and the gradient-norm studies of each run.
 *
 * @param runs the runs, in training order
 * @param baseline the architecture the others are compared with
 */
public record ComparisonPlan(List<Run> runs, String baseline) {
    /**
     * Without --data: the quick start, cut to 3 epochs (decaying the rate at 2) so that a run
     * takes about 4 minutes on 2 cores at depth 50.
     */
    public static final List<String> EMBEDDED_DEFAULTS = List.of("--epochs", "3", "--lr_steps", "2");
    /** args.json keys that may differ between the runs of one comparison. */
    static final Set<String> PER_RUN_KEYS = Set.of("seed", "result_path");
    /** args.json keys that `leno train`'s launcher rewrites for each worker of a multiprocessing-distributed run. */
    static final Set<String> LAUNCHER_KEYS = Set.of("dist_url", "world_size", "rank", "threads", "gpu", "batch_size", "workers");

    /**
     * What is compared.
     *
     * @param trainArgs the training flags every run gets
     * @param gradnormBatches batches of training images that each gradient-norm curve averages
     */
    public record Spec(List<String> archs, List<Integer> depths, List<Long> seeds, String baseline, Path dir,
                       List<String> trainArgs, int gradnormBatches) {}

    /**
     * One run of the comparison.
     *
     * @param args its `leno train` flags
     * @param resolved its configuration
     */
    public record Run(String arch, int depth, long seed, Path dir, List<String> args, TrainConfigResolver.Resolved resolved,
                      int gradnormBatches) {
        public String name() {
            return arch + depth + "/seed" + seed;
        }

        public TrainConfig config() {
            return resolved.config();
        }

        /** Whether train.log holds the last epoch's row and its checkpoint exists. */
        public boolean finished() {
            RunLayout layout = new RunLayout(dir);
            if (!Files.isRegularFile(layout.trainLog()) || !Files.isRegularFile(layout.checkpoint())) {
                return false;
            }
            int epochs = config().schedule().epochs();
            try {
                return Files.readAllLines(layout.trainLog()).stream().skip(1).anyMatch(l -> l.startsWith(epochs + "\t"));
            } catch (IOException e) {
                return false;
            }
        }

        /**
         * gradnorm through the run's training transform into {@code out}: at initialisation (the model the
         * seed draws, as `leno train` draws it) or on the first epoch's and the best checkpoint.
         */
        public GradNormStudy.Settings gradnorm(Path out, boolean checkpoints, long maxImagePixels) {
            TrainConfig cfg = config();
            ModelConfig model = new ModelConfig(ModelRegistry.arch(arch), depth, cfg.model().nClasses(),
                    cfg.model().zeroInitResidual(), 0);
            List<Path> weights = new ArrayList<>();
            if (checkpoints) {
                RunLayout layout = new RunLayout(dir);
                for (Path p : List.of(layout.epochCheckpoint(1), layout.best())) {
                    if (Files.isRegularFile(p)) {
                        weights.add(p);
                    }
                }
            }
            String data = cfg.data().dummy() ? null // synthetic runs: N(0,1) inputs
                    : cfg.data().data() == null ? GradNormStudy.EMBEDDED : cfg.data().data();
            return new GradNormStudy.Settings(List.of(model), weights, weights.size() > 1, false, data, maxImagePixels,
                    GradNormStudy.DEFAULT_BATCH_SIZE, cfg.data().trainCropSize(), gradnormBatches, seed, false, out);
        }
    }

    /** The runs of {@code spec}; a bad architecture, depth, seed or baseline is a one-line error. */
    public static ComparisonPlan of(Spec spec) {
        for (String a : spec.archs()) {
            Arch arch = Arch.byId(a).orElseThrow(() -> new IllegalArgumentException("-a " + a + ": not an architecture ("
                    + Arrays.stream(Arch.values()).map(Arch::id).collect(Collectors.joining(", ")) + ")"));
            for (int d : spec.depths()) {
                if (!ModelRegistry.depths(arch).contains(d)) {
                    throw new IllegalArgumentException("--depths " + d + ": not a depth of " + a + " ("
                            + ModelRegistry.depths(arch).stream().map(String::valueOf).collect(Collectors.joining(", ")) + ")");
                }
            }
        }
        unique("-a", spec.archs());
        unique("--depths", spec.depths());
        unique("--seeds", spec.seeds());
        if (Arch.byId(spec.baseline()).isEmpty()) {
            throw new IllegalArgumentException("--baseline " + spec.baseline() + ": not an architecture");
        }
        List<Run> runs = new ArrayList<>();
        for (long s : spec.seeds()) {
            for (int d : spec.depths()) {
                for (String a : spec.archs()) {
                    Path folder = spec.dir().resolve(a + d).resolve("seed" + s);
                    List<String> args = trainArgs(spec.trainArgs(), a, d, s, folder);
                    runs.add(new Run(a, d, s, folder, args, new TrainConfigResolver().resolve(args), spec.gradnormBatches()));
                }
            }
        }
        return new ComparisonPlan(List.copyOf(runs), spec.baseline());
    }

    /** Refuses a run folder that was trained with other flags than this comparison's. */
    public void checkFolders() {
        for (Run run : runs) {
            Set<String> ignored = new HashSet<>(PER_RUN_KEYS);
            if (run.config().distributed().multiprocessingDistributed()) {
                ignored.addAll(LAUNCHER_KEYS);
            }
            List<String> differing = ComparisonReport.differingFlags(run.resolved().args(), run.dir(), ignored);
            if (!differing.isEmpty()) {
                throw new IllegalArgumentException(new RunLayout(run.dir()).args() + ": trained with other flags than this "
                        + "comparison: " + String.join(", ", differing) + " (another --result_path, or the flags of that comparison)");
            }
        }
    }

    /** The report of these runs, which reads their folders. */
    public ComparisonReport report() {
        return new ComparisonReport(baseline, runs.get(0).config().schedule().epochs(),
                runs.stream().map(r -> new ComparisonReport.Planned(r.arch(), r.depth(), r.seed(), r.dir())).toList());
    }

    private static void unique(String flag, List<?> values) {
        if (new HashSet<>(values).size() < values.size()) {
            throw new IllegalArgumentException(flag + " " + values.stream().map(String::valueOf).collect(Collectors.joining(" "))
                    + ": a value given twice");
        }
    }

    /** A run's flags: the user's, then ours (later flags win in `leno train`). */
    private static List<String> trainArgs(List<String> given, String arch, int d, long s, Path run) {
        List<String> args = new ArrayList<>();
        if (!given(given, "--data") && !given(given, "--dummy") && !given(given, "--epochs") && !given(given, "--config")) {
            args.addAll(EMBEDDED_DEFAULTS);
        }
        args.addAll(given);
        args.addAll(List.of("-a", arch, "--model_depth", String.valueOf(d), "--seed", String.valueOf(s),
                "--result_path", run.toString(), "--resume", "auto", "--keep-epochs", "1"));
        return args;
    }

    /** Whether the user gave this train flag (as "--flag value" or "--flag=value"). */
    private static boolean given(List<String> args, String flag) {
        return args.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
    }
}
