package org.leno.internal.train;

import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a training run reports as it goes, as DJL's TrainingListener: its start, every training step,
 * every optimizer update, the tracked gradient norms, every epoch's training, every validation step
 * and validation, and its end. Everything the loop does besides stepping hangs off it: the printed
 * progress ({@link ProgressPrinter}), the result logs ({@link RunLogs}), the checkpoints
 * ({@link CheckpointSaver}) and --report's page are listeners too;
 * a caller adds its own through {@link Trainer#Trainer(TrainConfig, org.leno.internal.distributed.DistConfig,
 * java.util.Map, java.io.PrintStream, java.util.List)}. Listeners are called on the training thread,
 * in order (the trainer's first, then the caller's), on every rank of a distributed run, and should
 * return quickly: the next step waits for them.
 *
 * <p>A listener may end the run through the {@link Control} it is handed. The run then stops as
 * SIGINT stops it ({@link Trainer#requestStop}): after the current optimizer update (asked at the end
 * of an epoch, whose checkpoint is already saved: after the next epoch's first update), it saves a
 * resumable checkpoint and {@link Trainer#run} returns {@link TrainingOutcome.StoppedByListener} naming the reason.
 */
public interface TrainingListener {

    /** Before the first step of a training run (not of --evaluate). */
    default void onStart(StartEvent start, Control run) {
    }

    /** After a step whose block-boundary gradient norms were measured (--track-gradnorm), before its update is counted. */
    default void onGradientNorms(GradientNormEvent norms, Control run) {
    }

    /** After every training step (micro-batch), once its progress line, if any, is printed. */
    default void onStep(StepEvent step, Control run) {
    }

    /** After a step that ended with an optimizer update, once {@link #onStep} is done. */
    default void onUpdate(UpdateEvent update, Control run) {
    }

    /** After an epoch's training, before its validation. */
    default void onTrainingEpoch(TrainedEvent trained, Control run) {
    }

    /** After every step of a validation pass (the weight average's and --evaluate's included). */
    default void onValidationStep(ValidationStepEvent step, Control run) {
    }

    /** After a validation pass, with its averages over all ranks. */
    default void onValidated(ValidatedEvent validated, Control run) {
    }

    /** After every epoch's training and validation, its logs written (the trainer's checkpoint after them). */
    default void onEpoch(EpochEvent epoch, Control run) {
    }

    /** When the run returns its outcome (not after a failure it throws). */
    default void onEnd(TrainingOutcome outcome) {
    }

    /** What a listener may ask of the run. */
    interface Control {
        /**
         * Stops the run after the current optimizer update, saving a resumable checkpoint. The exit
         * code is 143 for {@code "SIGTERM"}, else 130; {@code reason} is named in the message.
         */
        void requestStop(String reason);
    }

    /**
     * Where a training run starts.
     *
     * @param args what args.json records of the run's configuration
     * @param resumed whether it continues from a checkpoint
     * @param epoch the first epoch, 0-based
     * @param updates the optimizer updates done before it
     * @param iterationsDone the steps done before it (a resumed epoch's included)
     */
    record StartEvent(Map<String, Object> args, boolean resumed, int epoch, long updates, long iterationsDone) {}

    /**
     * The gradient norms at the block boundaries of one step.
     *
     * @param iteration the step's index in the run, 0-based
     * @param epoch the epoch, 0-based
     * @param boundaryNorms the norms, from the input side
     */
    record GradientNormEvent(long iteration, int epoch, double[] boundaryNorms) {}

    /**
     * One optimizer update.
     *
     * @param epoch the epoch, 0-based
     * @param batch the batch that completed the update, 0-based
     * @param updateInEpoch the update's index in the epoch, 0-based
     * @param updates the optimizer updates of the run so far, this one included
     * @param iterationsDone the steps of the run so far, this one included
     * @param gradNorm the global gradient norm before clipping, NaN when not measured (no --clip-grad-norm)
     * @param bestAcc1 the best validation Acc@1 so far
     * @param endsEpoch whether it is the epoch's last update (the epoch's checkpoint follows its validation)
     * @param stopping whether the run stops after it
     * @param progress the interrupted epoch's progress as a checkpoint records it
     */
    record UpdateEvent(int epoch, int batch, int updateInEpoch, long updates, long iterationsDone, double gradNorm,
                       double bestAcc1, boolean endsEpoch, boolean stopping, Supplier<Checkpoint.MidEpoch> progress) {}

    /**
     * An epoch's training, before its validation.
     *
     * @param epoch the epoch, 0-based
     * @param train the training averages (as train.log)
     * @param lr the learning rate of the epoch's last update
     * @param skipped the loader's line on the images it could not read and skipped, if any
     */
    record TrainedEvent(int epoch, Metrics train, double lr, Optional<String> skipped) {}

    /**
     * One step of a validation pass.
     *
     * @param label "" for the model, "EMA " for the weight average
     * @param step the step's index, 0-based
     * @param steps the pass's steps (batches)
     * @param meters the pass's meters after the step
     */
    record ValidationStepEvent(String label, int step, int steps, Meters meters) {}

    /**
     * A validation pass.
     *
     * @param label "" for the model, "EMA " for the weight average
     * @param metrics its averages over the images of all ranks
     * @param skipped the loader's line on the images it could not read and skipped, if any
     */
    record ValidatedEvent(String label, Metrics metrics, Optional<String> skipped) {}

    /** The ranks of a distributed run hold identical parameters after an epoch (else the run fails): their CRC-32. */
    record RanksAgree(int ranks, long crc32) {}

    /** A meter's last value and its average over the pass so far (by images; times by steps). */
    record Reading(double value, double average) {}

    /**
     * A pass's meters after a step, as the reference's progress line shows them.
     *
     * @param time the step's wall time in seconds, loading its batch included
     * @param data the time spent waiting for the step's batch; null when validating
     * @param loss the loss
     * @param acc1 the top-1 accuracy in percent
     * @param acc5 the top-5 accuracy in percent
     */
    record Meters(Reading time, Reading data, Reading loss, Reading acc1, Reading acc5) {}

    /** A pass's averages over its images: loss, and top-1 and top-5 accuracy in percent. */
    record Metrics(double loss, double acc1, double acc5) {}

    /**
     * One training step.
     *
     * @param epoch the epoch, 0-based
     * @param step the step's index in the epoch, 0-based (a resumed epoch starts past 0)
     * @param stepsInEpoch the epoch's steps (batches)
     * @param lr the learning rate of the step's update
     * @param imagesPerSecond this process's images of the step per second of it
     * @param update whether the step ended with an optimizer update (with --accum-steps K, every K-th does)
     * @param updates the optimizer updates of the run so far, this one included
     * @param meters the epoch's meters after the step
     */
    record StepEvent(int epoch, int step, int stepsInEpoch, double lr, double imagesPerSecond, boolean update, long updates,
                     Meters meters) {

        /** The step's loss (its batch's mean, before division by --accum-steps). */
        public double loss() {
            return meters.loss().value();
        }

        /** The step's wall time, loading its batch included. */
        public double seconds() {
            return meters.time().value();
        }
    }

    /**
     * One epoch, trained and validated.
     *
     * @param epoch the epoch, 0-based (the logs and checkpoints count {@code epoch + 1} epochs done)
     * @param train the training averages (as train.log)
     * @param val the validation averages over all ranks (as val.log)
     * @param valEma the weight average's validation with --model-ema (as val_ema.log)
     * @param bestAcc1 the best validation Acc@1 so far, this epoch's included
     * @param best whether this epoch's validation Acc@1 is a new best
     * @param lr the learning rate of the epoch's last update
     * @param updates the optimizer updates of the run so far
     * @param trainSeconds the wall time of the epoch's training
     * @param valSeconds the wall time of its validation (the weight average's included)
     * @param trainImagesPerSecond training images per second over all ranks
     * @param ranksAgree in a distributed run, the check that every rank holds the same parameters
     */
    record EpochEvent(int epoch, Metrics train, Metrics val, Optional<Metrics> valEma, double bestAcc1, boolean best,
                      double lr, long updates, double trainSeconds, double valSeconds, double trainImagesPerSecond,
                      Optional<RanksAgree> ranksAgree) {

        /** The epoch's wall time: training and validation. */
        public double seconds() {
            return trainSeconds + valSeconds;
        }
    }
}
