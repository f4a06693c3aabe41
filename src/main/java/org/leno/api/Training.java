package org.leno.api;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.leno.cli.TrainCommandConfig;
import org.leno.config.Flags;
import org.leno.distributed.DistConfig;
import org.leno.train.LrSchedulerKind;
import org.leno.train.TrainConfig;
import org.leno.train.Trainer;

/**
 * A training run started from code, configured exactly as {@code leno train} is: its flags
 * ({@link #fromArgs}) are resolved into the same configuration records, with the same defaults
 * and checks, and {@code --config FILE} reads an earlier run's args.json or a YAML file. It
 * writes the same results folder (logs, checkpoints with their model card), which
 * {@link Classifier#load(Path)} then reads.
 *
 * <pre>{@code
 * Training training = Training.fromArgs("--epochs", "2", "--result_path", "runs/a")
 *         .listener(new TrainingListener() {
 *             public boolean onEpoch(EpochMetrics m) { return m.valAcc1() < 90; } // stop at 90%
 *         });
 * Training.Outcome outcome = training.run();
 * }</pre>
 *
 * <p><b>Listener calls.</b> {@link TrainingListener#onEpoch} is called after each validation;
 * {@link TrainingListener#onStep} after every step, with the trainer's own numbers (not read back from
 * its printed lines). A stop takes effect at the end of the next update inside an epoch.
 *
 * <p>One run at a time per {@code Training}; {@link #stop()} may be called from any thread.
 * Multi-process training ({@code --multiprocessing-distributed}) is left to the command line.
 */
public final class Training {
    private final TrainConfig config;
    private final Map<String, Object> args;
    private volatile TrainingListener listener = new TrainingListener() { };
    private volatile PrintStream output = new PrintStream(OutputStream.nullOutputStream());
    private volatile Trainer trainer;
    private volatile boolean stopRequested;

    /**
     * How a run ended.
     *
     * @param stopped whether it was stopped (by {@link #stop()} or a listener) before its last epoch
     * @param message {@code leno train}'s one-line account of the stop, or empty when it ran to the end
     * @param resultFolder the folder holding its logs and checkpoints
     */
    public record Outcome(boolean stopped, String message, Path resultFolder) {
    }

    private Training(TrainConfig config, Map<String, Object> args) {
        this.config = config;
        this.args = args;
    }

    /**
     * A run configured by {@code leno train}'s flags, resolved as the command resolves them (the
     * quick start's defaults without {@code --data}, {@code --config FILE}, a random seed unless one is given).
     *
     * @param flags the flags that would follow {@code leno train}
     * @return the run, not started
     * @throws LenoException for an unknown flag or a bad value, naming it
     */
    public static Training fromArgs(String... flags) {
        return Errors.guard(() -> of(TrainCommandConfig.parse(flags)));
    }

    /**
     * A run of the configuration that {@code leno train} resolves its flags into, built in code.
     * (Package-private: JDK 17's javadoc crashes on a public signature naming that undocumented record.)
     */
    static Training of(TrainConfig config) {
        return Errors.guard(() -> {
            if (config.distributed().multiprocessingDistributed()) {
                throw new LenoException("--multiprocessing-distributed starts worker processes; use leno train for it");
            }
            Flags<TrainConfig> flags = Flags.of(TrainConfig.class, Map.of(LrSchedulerKind.class, new LrSchedulerKind.Converter()));
            return new Training(config, flags.toMap(config));
        });
    }

    /**
     * Sets the listener (by default one that never stops the run).
     *
     * @param listener receives the metrics and may stop the run
     * @return this run
     */
    public Training listener(TrainingListener listener) {
        this.listener = listener;
        return this;
    }

    /**
     * Sends the progress lines {@code leno train} prints to {@code out} (by default they are discarded).
     *
     * @param out where the lines go
     * @return this run
     */
    public Training output(PrintStream out) {
        this.output = out;
        return this;
    }

    /**
     * Asks the run to stop after the current update, saving a resumable checkpoint. Any thread may call it.
     */
    public void stop() {
        stopRequested = true;
        Trainer t = trainer;
        if (t != null) {
            t.requestStop("Training.stop()");
        }
    }

    /**
     * Runs the training in this thread, to its last epoch or to a stop.
     *
     * @return how it ended
     * @throws LenoException if it fails (bad data, unreadable checkpoint, a non-finite loss, a failing listener)
     */
    public Outcome run() {
        return Errors.guard(() -> {
            Path folder = config.checkpointing().resultPath();
            ListenerBridge bridge = new ListenerBridge(listener);
            PrintStream out = output;
            DistConfig dist = config.distributed().resolve(System.getenv());
            trainer = new Trainer(config, dist, args, out, List.of(bridge));
            if (stopRequested) {
                trainer.requestStop("Training.stop()");
            }
            try {
                trainer.run();
                if (bridge.failure() != null) {
                    throw new LenoException("the training listener failed: " + bridge.failure(), bridge.failure());
                }
                return new Outcome(false, "", folder);
            } catch (Trainer.Stopped s) {
                if (bridge.failure() != null) {
                    throw new LenoException("the training listener failed: " + bridge.failure(), bridge.failure());
                }
                if (s.exitCode() == 1) {
                    throw new LenoException(s.getMessage(), s);
                }
                return new Outcome(true, s.getMessage(), folder);
            } finally {
                out.flush();
            }
        });
    }
}
