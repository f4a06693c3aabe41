package org.leno.internal.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.leno.internal.data.loader.Batch;
import org.leno.internal.data.augment.BatchMix;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.distributed.DistConfig;
import org.leno.internal.distributed.RankGroup;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.train.TrainingListener.EpochEvent;
import org.leno.internal.train.TrainingListener.GradientNormEvent;
import org.leno.internal.train.TrainingListener.Meters;
import org.leno.internal.train.TrainingListener.Metrics;
import org.leno.internal.train.TrainingListener.RanksAgree;
import org.leno.internal.train.TrainingListener.StartEvent;
import org.leno.internal.train.TrainingListener.StepEvent;
import org.leno.internal.train.TrainingListener.TrainedEvent;
import org.leno.internal.train.TrainingListener.UpdateEvent;
import org.leno.internal.train.TrainingListener.ValidatedEvent;
import org.leno.internal.train.TrainingListener.ValidationStepEvent;

/**
 * The reference training program's loop: train and validate each epoch, or evaluate. The run's parts
 * come from {@link RunBuilder}; the loop steps, and tells everything else to the
 * {@link TrainingListener}s: the printed progress ({@link ProgressPrinter}, of the meters that
 * {@link PassMeters} keeps), the result logs ({@link RunLogs}), the checkpoints ({@link CheckpointSaver}),
 * --report's page, then the caller's. It ends with a {@link TrainingOutcome}.
 */
public final class Trainer {

    /** Who asked for a stop: a signal ("SIGINT", "SIGTERM") or a listener, by its reason. */
    private record StopRequest(String reason, boolean signal) {}

    /** Unwinds the loop (closing its loaders and parts on the way) to return {@code outcome}. */
    private static final class Ended extends RuntimeException {
        private final transient TrainingOutcome outcome;

        Ended(TrainingOutcome outcome) {
            super(outcome.message(), null, false, false);
            this.outcome = outcome;
        }
    }

    private final TrainConfig cfg;
    private final DistConfig dist;
    private final Map<String, Object> args;
    private final PrintStream out;
    private final List<TrainingListener> extraListeners;
    private volatile StopRequest stop;

    /** {@code dist}: this process's place in a distributed run, or null; {@code args}: what args.json records. */
    public Trainer(TrainConfig cfg, DistConfig dist, Map<String, Object> args, PrintStream out) {
        this(cfg, dist, args, out, List.of());
    }

    /** With {@code listeners} told of every step and epoch, after the trainer's own (logs, checkpoints). */
    public Trainer(TrainConfig cfg, DistConfig dist, Map<String, Object> args, PrintStream out,
                   List<TrainingListener> listeners) {
        this.cfg = cfg;
        this.dist = dist;
        this.args = args;
        this.out = out;
        this.extraListeners = List.copyOf(listeners);
    }

    /** Asks the run to stop after the current update, saving a resumable checkpoint, for {@code reason}. */
    public void requestStop(String reason) {
        stop = new StopRequest(reason, false);
    }

    /** As {@link #requestStop}, for a signal: "SIGINT" or "SIGTERM". */
    public void signal(String signal) {
        stop = new StopRequest(signal, true);
    }

    /** Runs to the end, or to a stop or a non-finite loss; a failure (bad data, a full disk) is thrown. */
    public TrainingOutcome run() {
        ResultFiles files = new ResultFiles(cfg.checkpointing().resultPath());
        boolean writes = cfg.writesFiles(dist);
        if (!cfg.checkpointing().evaluate() && writes) {
            files.prepare();
        }
        try (RankGroup group = dist != null ? RankGroup.connect(dist, cfg.cudaDevice(System.getenv())) : null;
             RunParts parts = new RunBuilder(cfg, dist, group, files, out).build()) {
            Run run = new Run(parts, files, writes);
            TrainingOutcome outcome = run.execute();
            run.ended(outcome);
            return outcome;
        }
    }

    /** One run over its parts: the epoch loop, with its counters. */
    private final class Run {
        private final RunParts parts;
        private final ResultFiles files;
        private final List<TrainingListener> listeners = new ArrayList<>();
        private final TrainingListener.Control control = Trainer.this::requestStop;
        private double best;
        private long updates;
        private double lastLr;

        Run(RunParts parts, ResultFiles files, boolean writes) {
            this.parts = parts;
            this.files = files;
            this.best = parts.start().bestAcc1();
            this.updates = parts.start().updates();
            listeners.add(new ProgressPrinter(out, cfg.runtime()));
            listeners.add(new RunLogs(files, writes, cfg.runtime().printFreq()));
            listeners.add(new CheckpointSaver(cfg, files, parts, writes));
            if (cfg.checkpointing().report() && writes) {
                listeners.add(new ReportListener(files, out));
            }
            listeners.addAll(extraListeners);
        }

        TrainingOutcome execute() {
            try {
                return steps();
            } catch (Ended e) {
                return e.outcome;
            }
        }

        void ended(TrainingOutcome outcome) {
            listeners.forEach(l -> l.onEnd(outcome));
        }

        private TrainingOutcome steps() {
            if (cfg.checkpointing().evaluate()) {
                validate(parts.net(), "");
                if (parts.ema() != null) {
                    validate(parts.ema().model(), "EMA ");
                }
                return new TrainingOutcome.Completed();
            }
            RunParts.Start start = parts.start();
            int batches = parts.trainLoader().batchesPerEpoch();
            StartEvent s = new StartEvent(args, start.resumed(), start.epoch(), start.updates(),
                    (long) start.epoch() * batches + start.mid().map(Checkpoint.MidEpoch::batchesDone).orElse(0));
            listeners.forEach(l -> l.onStart(s, control));
            Optional<Checkpoint.MidEpoch> mid = start.mid();
            for (int epoch = start.epoch(); epoch < cfg.schedule().epochs(); epoch++) {
                runEpoch(epoch, mid);
                mid = Optional.empty();
            }
            return new TrainingOutcome.Completed();
        }

        private void runEpoch(int epoch, Optional<Checkpoint.MidEpoch> resumeAt) {
            PassMeters.Clock trainClock = PassMeters.Clock.start();
            TrainedEvent t = trainEpoch(epoch, resumeAt.filter(m -> m.epoch() == epoch));
            double trainSeconds = trainClock.seconds();
            listeners.forEach(l -> l.onTrainingEpoch(t, control));
            Metrics train = t.train();
            PassMeters.Clock valClock = PassMeters.Clock.start();
            Metrics val = validate(parts.net(), "");
            Optional<Metrics> valEma = parts.ema() == null ? Optional.empty()
                    : Optional.of(validate(parts.ema().model(), "EMA "));
            double valSeconds = valClock.seconds();
            boolean isBest = val.acc1() > best;
            best = Math.max(best, val.acc1());
            Optional<RanksAgree> agree = parts.group() == null ? Optional.empty()
                    : Optional.of(new RanksAgree(parts.world(), parts.group().requireIdentical(parts.optimizer().params())));
            int images = parts.trainLoader().batchesPerEpoch() * cfg.data().batchSize() * parts.world();
            EpochEvent e = new EpochEvent(epoch, train, val, valEma, best, isBest, lastLr, updates, trainSeconds, valSeconds,
                    images / trainSeconds, agree);
            listeners.forEach(l -> l.onEpoch(e, control));
        }

        private TrainedEvent trainEpoch(int epoch, Optional<Checkpoint.MidEpoch> resumeAt) {
            parts.net().train(true);
            DataLoader loader = parts.trainLoader();
            int start = resumeAt.map(Checkpoint.MidEpoch::batchesDone).orElse(0);
            try (DataLoader.Epoch epochData = loader.epoch(epoch, start);
                 DeviceFeed data = DeviceFeed.of(epochData, parts.device(), cfg.runtime().channelsLast())) {
                PassMeters meters = PassMeters.training(epoch);
                resumeAt.ifPresent(meters::restore);
                for (int i = start; data.hasNext(); i++) {
                    trainStep(epoch, i, data, meters);
                }
                return new TrainedEvent(epoch, meters.averages(), lastLr, Optional.ofNullable(epochData.skippedSummary()));
            }
        }

        /** Batch {@code i}: its share of an update, the update when it completes one, the events, a stop. */
        private void trainStep(int epoch, int i, DeviceFeed data, PassMeters meters) {
            int batches = parts.trainLoader().batchesPerEpoch();
            int accum = cfg.optimization().accumSteps();
            int u = i / accum;
            int tracking = cfg.runtime().trackGradnorm();
            TrainStep.Options o = TrainStep.Options.ofBatch(TrainStep.stepSeed(parts.seed(), epoch, i), i, batches, accum,
                    tracking > 0 && ((long) epoch * batches + i) % tracking == 0);
            lastLr = parts.schedule().lr(epoch, u, (batches + accum - 1) / accum);
            parts.optimizer().setLr(lastLr);
            double gradNorm;
            try (Batch batch = data.next()) {
                meters.dataLoaded();
                TrainStep.Result r = trainBatch(batch, epoch, i, batches, o);
                gradNorm = r.gradNorm();
                if (o.update()) {
                    afterUpdate(epoch, u);
                }
                meters.record(r.loss(), r.hits1(), r.hits5(), batch.size());
            }
            Meters m = meters.stepDone();
            StepEvent e = new StepEvent(epoch, i, batches, lastLr, meters.lastImagesPerSecond(), o.update(), updates, m);
            listeners.forEach(l -> l.onStep(e, control));
            if (o.update()) {
                StopRequest asked = i + 1 < batches ? stop : null; // at the epoch's end, after its checkpoint
                updated(new UpdateEvent(epoch, i, u, updates, (long) epoch * batches + i + 1, gradNorm, best, i + 1 == batches,
                        asked != null, () -> meters.midEpoch(i + 1)), asked);
            }
        }

        /** One micro-batch, mixed first when batch mixing is on; stops the run on a non-finite loss. */
        private TrainStep.Result trainBatch(Batch batch, int epoch, int i, int batches, TrainStep.Options o) {
            TrainStep.Result r = parts.mix().isPresent()
                    ? parts.step().runMixed(batch.images(), batch.labels(), parts.mix().get(),
                            BatchMix.stream(parts.seed(), epoch, i, parts.rank()), o)
                    : parts.step().run(batch.images(), batch.labels(), null, null, o);
            if (o.gradNorms() && r.boundaryNorms() != null) {
                GradientNormEvent g = new GradientNormEvent((long) epoch * batches + i, epoch, r.boundaryNorms());
                listeners.forEach(l -> l.onGradientNorms(g, control));
            }
            if (!Double.isFinite(r.loss())) {
                throw new Ended(new TrainingOutcome.Diverged(epoch, i, r.loss(), String.format(Locale.ROOT,
                        "loss is %s at epoch %d, batch %d; stopped without saving (the last good checkpoint is %s)",
                        r.loss(), epoch, i, Files.exists(files.checkpoint()) ? files.checkpoint() : "none")));
            }
            return r;
        }

        /** After an optimizer update: count it, average the weights. */
        private void afterUpdate(int epoch, int u) {
            updates++;
            if (parts.ema() != null) {
                parts.ema().afterUpdate(u, cfg.regularization().modelEmaSteps(), epoch < cfg.schedule().warmupEpochs());
            }
        }

        /** The update's event (the --save-every checkpoint, grad_norm.tsv), then a stop asked for within the epoch. */
        private void updated(UpdateEvent u, StopRequest asked) {
            listeners.forEach(l -> l.onUpdate(u, control));
            if (asked != null) {
                String message = "stopped by " + asked.reason() + " after batch " + (u.batch() + 1) + " of epoch " + u.epoch()
                        + "; resume with --resume " + files.checkpoint();
                throw new Ended(asked.signal() ? new TrainingOutcome.StoppedBySignal(asked.reason(), message)
                        : new TrainingOutcome.StoppedByListener(asked.reason(), message));
            }
        }

        /**
         * Validates on the whole val set, telling the listeners of every step and of the averages.
         * Distributed, each rank validates its shard and the sums are all-reduced, so every rank
         * reports the same numbers and each image counts once (shard padding is left out).
         */
        private Metrics validate(ResidualNetwork model, String label) {
            model.eval();
            DataLoader loader = parts.valLoader();
            PassMeters meters;
            Optional<String> skipped;
            try (DataLoader.Epoch epochData = loader.epoch(0);
                 DeviceFeed data = DeviceFeed.of(epochData, parts.device(), cfg.runtime().channelsLast())) {
                meters = PassMeters.validation();
                for (int i = 0; data.hasNext(); i++) {
                    try (Batch batch = data.next()) {
                        if (batch.real() > 0) {
                            TrainStep.Result r = TrainStep.evaluate(model, parts.device(), batch.images(), batch.labels(),
                                    batch.real());
                            meters.record(r.loss(), r.hits1(), r.hits5(), batch.real());
                        }
                    }
                    ValidationStepEvent e = new ValidationStepEvent(label, i, loader.batchesPerEpoch(), meters.stepDone());
                    listeners.forEach(l -> l.onValidationStep(e, control));
                }
                skipped = Optional.ofNullable(epochData.skippedSummary());
            }
            Metrics result = meters.averages();
            if (parts.group() != null) {
                double[] s = parts.group().sum(meters.sums());
                result = new Metrics(s[0] / s[3], s[1] / s[3], s[2] / s[3]);
            }
            ValidatedEvent v = new ValidatedEvent(label, result, skipped);
            listeners.forEach(l -> l.onValidated(v, control));
            return result;
        }
    }
}
