package org.leno.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.leno.distributed.DistConfig;
import org.leno.train.TrainConfig;
import org.leno.train.TrainConfigResolver;
import org.leno.train.Trainer;
import org.leno.train.TrainingOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

@Command(mixinStandardHelpOptions = true, name = "train", sortOptions = false, abbreviateSynopsis = true,
        modelTransformer = TrainCommand.TrainFlags.class,
        description = {"Train (or with -e evaluate) a model: the reference's ImageNet training program, fixed.",
                "Without --data: LeNo-ResNet-50 on the embedded Fashion-MNIST subset, with the quick start's defaults.",
                "With --data DIR (DIR/train/<class>/..., DIR/val/<class>/...) or --data fashion-mnist: the reference's defaults.",
                "Precedence: flags given here, then --config FILE, then the defaults."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = TrainConfigResolver.CONFIG_FLAG, paramLabel = "FILE", order = -1,
            description = "Flag values from a JSON or YAML file, keyed as args.json (an earlier run's args.json works).")
    Path config;

    @Spec
    CommandSpec spec;

    /** Adds the flags that the configuration records declare, one help section per record. */
    static final class TrainFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec commandSpec) {
            TrainConfigResolver.flags().addTo(commandSpec);
            return commandSpec;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        String[] fullArgs = args.toArray(String[]::new);
        if (!args.isEmpty() && args.get(0).equals(spec.name())) {
            args.remove(0);
        }
        TrainConfigResolver.Resolved resolved = new TrainConfigResolver(RawArguments.of(fullArgs)::toPath).resolve(args);
        TrainConfig cfg = resolved.config();
        if (cfg.distributed().multiprocessingDistributed() && !cfg.distributed().spawnedWorker()) {
            return new WorkerLauncher(cfg, fullArgs).run();
        }
        if (cfg.referenceOnly().groups() != null) {
            System.out.println("note: --groups " + cfg.referenceOnly().groups() + " is parsed and unused, as in the reference");
        }
        DistConfig dist = cfg.distributed().resolve(System.getenv());
        Trainer trainer = new Trainer(cfg, dist, resolved.args(), System.out);
        SignalHandler previousInt = handle("INT", trainer);
        SignalHandler previousTerm = handle("TERM", trainer);
        try {
            TrainingOutcome outcome = trainer.run();
            if (!outcome.message().isEmpty()) {
                System.err.println("leno train: " + outcome.message());
            }
            return ExitCodes.of(outcome);
        } finally {
            restore("INT", previousInt);
            restore("TERM", previousTerm);
        }
    }

    private static void restore(String signal, SignalHandler previous) {
        if (previous != null) {
            Signal.handle(new Signal(signal), previous);
        }
    }

    private static SignalHandler handle(String signal, Trainer trainer) {
        try {
            return Signal.handle(new Signal(signal), s -> {
                System.err.println("leno train: SIG" + signal + " received; finishing the current step...");
                trainer.signal("SIG" + signal);
            });
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
