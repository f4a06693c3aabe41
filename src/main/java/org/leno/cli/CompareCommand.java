package org.leno.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.leno.data.datasets.Datasets;
import org.leno.model.Arch;
import org.leno.report.Report;
import org.leno.train.ResultFiles;
import org.leno.train.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * The paper's comparison in one command: each architecture trained with identical flags and seed in
 * DIR/&lt;arch&gt;&lt;depth&gt;/, one after another (a rerun resumes an unfinished run and skips a finished
 * one), the gradient norm ratios of its first and best checkpoints, and DIR/report.html of them all.
 */
@Command(mixinStandardHelpOptions = true, name = "compare", sortOptions = false,
        defaultValueProvider = FamilyDefaults.class,
        description = {"Train several architectures with the same flags and seed, analyse their gradient norms and "
                + "write one report page.",
                "Any other flag is a `leno train` flag, passed to every run (distributed and --gpu flags too).",
                "Without --data (and --epochs): the quick start on the embedded data for 3 epochs, about 15 minutes on 2 cores."})
final class CompareCommand implements Callable<Integer> {
    @Option(names = {"-a", "--arch"}, split = ",", paramLabel = "ARCH",
            description = "Architectures to compare (default: ${DEFAULT-VALUE}).")
    List<String> archs;

    @Option(names = {"--model_depth", "--model-depth"}, defaultValue = "50", description = "Depth of every run (default: ${DEFAULT-VALUE}).")
    int depth;

    @Option(names = {"--result_path", "--result-path"}, defaultValue = "results/compare", paramLabel = "DIR",
            description = "Runs go to DIR/<arch><depth>/, the page to DIR/report.html (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--seed", defaultValue = "0", description = "The seed of every run (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--gradnorm-batches", defaultValue = "4", paramLabel = "N",
            description = "Batches of training images that each gradient-norm curve averages (default: ${DEFAULT-VALUE}).")
    int gradnormBatches;

    /**
     * Without --data: the quick start, cut to 3 epochs (decaying the rate at 2) so that the three
     * runs fit in about 15 minutes on 2 cores.
     */
    static final List<String> EMBEDDED_DEFAULTS = List.of("--epochs", "3", "--lr_steps", "2");

    @Unmatched
    List<String> trainArgs = new ArrayList<>();

    @Override
    public Integer call() {
        for (String arch : archs) {
            if (Arch.byId(arch).isEmpty()) {
                throw new IllegalArgumentException("-a " + arch + ": not an architecture (" + String.join(", ", Arch.ids()) + ")");
            }
        }
        List<Path> runs = new ArrayList<>();
        for (String arch : archs) {
            Path run = dir.resolve(arch + depth);
            List<String> args = trainArgs(arch, run);
            TrainConfig cfg = TrainCommand.resolve(args, Path::of).config();
            if (finished(run, cfg.schedule().epochs())) {
                System.out.println("=> " + arch + depth + ": finished (" + cfg.schedule().epochs() + " epochs), not trained again");
            } else {
                System.out.println("=> " + arch + depth + ": training in " + run);
                int code = Main.run(concat("train", args));
                if (code != 0) {
                    System.err.println("leno compare: the run of " + arch + depth + " ended with exit code " + code
                            + "; rerun the same command to resume it");
                    return code;
                }
            }
            int code = Main.run(concat("gradnorm", gradnormArgs(arch, run, cfg)));
            if (code != 0) {
                return code;
            }
            runs.add(run);
        }
        Path page = dir.resolve("report.html");
        Report.write(runs, page);
        System.out.println("=> wrote " + page);
        return 0;
    }

    /** The run's flags: the user's, then ours (later flags win in `leno train`). */
    private List<String> trainArgs(String arch, Path run) {
        List<String> args = new ArrayList<>();
        if (!given("--data") && !given("--dummy") && !given("--epochs") && !given("--config")) {
            args.addAll(EMBEDDED_DEFAULTS);
        }
        args.addAll(trainArgs);
        args.addAll(List.of("-a", arch, "--model_depth", String.valueOf(depth), "--seed", String.valueOf(seed),
                "--result_path", run.toString(), "--resume", "auto", "--keep-epochs", "1"));
        return args;
    }

    /** Whether the user gave this train flag (as "--flag value" or "--flag=value"). */
    private boolean given(String flag) {
        return trainArgs.stream().anyMatch(a -> a.equals(flag) || a.startsWith(flag + "="));
    }

    /** gradnorm on the first epoch's and the best checkpoint, through the run's training transform. */
    private List<String> gradnormArgs(String arch, Path run, TrainConfig cfg) {
        List<String> args = new ArrayList<>(List.of("-a", arch, "--model_depth", String.valueOf(depth),
                "--n_classes", String.valueOf(cfg.model().nClasses()),
                "--image-size", String.valueOf(cfg.data().trainCropSize()),
                "--data", cfg.data().data() == null ? Datasets.FASHION_MNIST : cfg.data().data(),
                "--batches", String.valueOf(gradnormBatches), "--seed", String.valueOf(seed),
                "--out", run.resolve("gradnorm").toString(), "--weights"));
        for (Path p : List.of(run.resolve("checkpoint_epoch1.pth.tar"), run.resolve(ResultFiles.BEST))) {
            if (Files.isRegularFile(p)) {
                args.add(p.toString());
            }
        }
        return args;
    }

    /** Whether train.log holds the last epoch's row and its checkpoint exists. */
    static boolean finished(Path run, int epochs) {
        Path log = run.resolve(ResultFiles.TRAIN_LOG);
        if (!Files.isRegularFile(log) || !Files.isRegularFile(run.resolve(ResultFiles.CHECKPOINT))) {
            return false;
        }
        try {
            return Files.readAllLines(log).stream().skip(1).anyMatch(l -> l.startsWith(epochs + "\t"));
        } catch (IOException e) {
            return false;
        }
    }

    private static String[] concat(String verb, List<String> args) {
        List<String> all = new ArrayList<>();
        all.add(verb);
        all.addAll(args);
        return all.toArray(String[]::new);
    }
}
