package org.leno.api;

/**
 * Receives a {@link Training}'s progress and may stop it. Both methods are called on the thread
 * that runs {@link Training#run()}; returning {@code false} asks the run to stop after the current
 * update, saving a resumable checkpoint, as Ctrl-C does for {@code leno train}.
 */
public interface TrainingListener {
    /**
     * A training step's numbers.
     *
     * @param epoch the epoch, from 0
     * @param batch the batch within the epoch, from 0
     * @param batchesPerEpoch batches in an epoch
     * @param loss the batch's training loss
     * @param acc1 the batch's top-1 accuracy, in percent
     * @param averageLoss the epoch's mean loss so far
     * @param averageAcc1 the epoch's mean top-1 accuracy so far, in percent
     */
    record StepMetrics(int epoch, int batch, int batchesPerEpoch, double loss, double acc1, double averageLoss,
                       double averageAcc1) {
    }

    /**
     * An epoch's numbers, after its validation.
     *
     * @param epoch epochs done (1 after the first)
     * @param trainLoss the epoch's mean training loss ({@code NaN} when the run writes no train.log)
     * @param trainAcc1 the epoch's mean training top-1 accuracy, in percent ({@code NaN} likewise)
     * @param valAcc1 validation top-1 accuracy, in percent
     * @param valAcc5 validation top-5 accuracy, in percent
     */
    record EpochMetrics(int epoch, double trainLoss, double trainAcc1, double valAcc1, double valAcc5) {
    }

    /**
     * Called after training steps; see {@link Training} for how often.
     *
     * @param metrics the step's numbers
     * @return {@code true} to go on, {@code false} to stop the run
     */
    default boolean onStep(StepMetrics metrics) {
        return true;
    }

    /**
     * Called after each epoch's validation.
     *
     * @param metrics the epoch's numbers
     * @return {@code true} to go on, {@code false} to stop the run
     */
    default boolean onEpoch(EpochMetrics metrics) {
        return true;
    }
}
