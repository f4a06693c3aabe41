package org.leno.internal.cli;

import java.util.ArrayList;
import java.util.List;
import org.leno.internal.distributed.DistConfig;
import org.leno.internal.train.TrainConfig;
import org.leno.internal.train.TrainConfigResolver;
import org.leno.internal.train.Trainer;
import org.leno.internal.train.TrainingOutcome;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * One training run in this process, as {@code leno train} and {@code leno compare} run it: the
 * workers of --multiprocessing-distributed, or the {@link Trainer} with SIGINT and SIGTERM asking it
 * to stop; the outcome as an exit code.
 */
final class TrainRun {
    private TrainRun() {
    }

    /** {@code trainArgs}: the flags after the verb, which workers are started with. */
    static int run(TrainConfigResolver.Resolved resolved, List<String> trainArgs) throws InterruptedException {
        TrainConfig cfg = resolved.config();
        if (cfg.distributed().multiprocessingDistributed() && !cfg.distributed().spawnedWorker()) {
            List<String> verbAndFlags = new ArrayList<>(List.of("train"));
            verbAndFlags.addAll(trainArgs);
            return new WorkerLauncher(cfg, verbAndFlags.toArray(String[]::new)).run();
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
