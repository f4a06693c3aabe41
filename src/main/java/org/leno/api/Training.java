package org.leno.api;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.leno.internal.distributed.DistConfig;
import org.leno.internal.train.TrainConfig;
import org.leno.internal.train.TrainConfigResolver;
import org.leno.internal.train.Trainer;
import org.leno.internal.train.TrainingOutcome;

/**
 * A training run started from code, configured exactly as {@code leno train} is: the same resolver
 * layers the defaults, a config file (an earlier run's args.json, or YAML keyed the same) and the
 * values set here, with the same checks. It writes the same results folder (logs, checkpoints with
 * their model card), which {@link Classifier#load(Path)} then reads.
 *
 * <pre>{@code
 * Training training = Training.builder()
 *         .configFile(Path.of("runs/a/args.json"))      // optional: an earlier run's flags
 *         .set("epochs", 2)                              // keyed as args.json
 *         .set("result_path", "runs/b")
 *         .build()
 *         .listener(new TrainingListener() {
 *             public boolean onEpoch(EpochMetrics m) { return m.valAcc1() < 90; } // stop at 90%
 *         });
 * Training.Outcome outcome = training.run();
 * }</pre>
 *
 * <p>{@link #fromArgs} takes {@code leno train}'s flags instead.
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
        return Errors.guard(() -> of(new TrainConfigResolver().resolve(List.of(flags))));
    }

    /**
     * A builder of a run: a config file, then values over it.
     *
     * @return an empty builder: the quick start's defaults with a random seed
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A run of a configuration already resolved. Not public: JDK 17's javadoc fails with an internal
     * error ("unknown element") on a documented signature naming a type of an undocumented package
     * that is on its source path; {@link #builder()} is the public way to the same configuration.
     */
    static Training of(TrainConfig config) {
        return Errors.guard(() -> of(new TrainConfigResolver.Resolved(config, TrainConfigResolver.args(config))));
    }

    private static Training of(TrainConfigResolver.Resolved resolved) {
        if (resolved.config().distributed().multiprocessingDistributed()) {
            throw new LenoException("--multiprocessing-distributed starts worker processes; use leno train for it");
        }
        return new Training(resolved.config(), resolved.args());
    }

    /**
     * Configures a run as {@code leno train} resolves its flags: the defaults (the quick start's
     * without {@code data}), then the config file, then the values set here in the order set.
     */
    public static final class Builder {
        private Path configFile;
        private final List<String> overrides = new ArrayList<>();

        private Builder() {
        }

        /**
         * Reads flag values from a JSON file (an earlier run's args.json) or a YAML file, keyed as args.json.
         *
         * @param file the file
         * @return this builder
         */
        public Builder configFile(Path file) {
            this.configFile = file;
            return this;
        }

        /**
         * Sets one value over the defaults and the config file.
         *
         * @param key the flag's key in args.json, e.g. {@code "lr"}, {@code "lr_steps"} or {@code "result_path"}
         * @param value its value: a number, boolean, string, path or list, or null for "not set"
         * @return this builder
         * @throws LenoException for an unknown key
         */
        public Builder set(String key, Object value) {
            Object json = value instanceof Path p ? p.toString() : value;
            overrides.addAll(Errors.guard(() -> TrainConfigResolver.flags()
                    .argsFrom(Collections.singletonMap(key, json), "Training.builder().set")));
            return this;
        }

        /**
         * Adds flags as {@code leno train} takes them, over everything before.
         *
         * @param flags e.g. {@code "--lr", "0.05"}
         * @return this builder
         */
        public Builder flags(String... flags) {
            overrides.addAll(List.of(flags));
            return this;
        }

        /**
         * Resolves the configuration.
         *
         * @return the run, not started
         * @throws LenoException for a bad value, naming it
         */
        public Training build() {
            return Errors.guard(() -> of(new TrainConfigResolver().resolve(configFile, overrides)));
        }
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
                TrainingOutcome outcome = trainer.run();
                if (bridge.failure() != null) {
                    throw new LenoException("the training listener failed: " + bridge.failure(), bridge.failure());
                }
                if (outcome instanceof TrainingOutcome.Diverged) {
                    throw new LenoException(outcome.message());
                }
                return new Outcome(!(outcome instanceof TrainingOutcome.Completed), outcome.message(), folder);
            } finally {
                out.flush();
            }
        });
    }
}
