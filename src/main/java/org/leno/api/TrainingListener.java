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
     * @param learningRate the learning rate of the step's update
     * @param imagesPerSecond this process's images of the step per second of its wall time
     */
    record StepMetrics(int epoch, int batch, int batchesPerEpoch, double loss, double learningRate,
                       double imagesPerSecond) {
    }

    /**
     * An epoch's numbers, after its validation.
     *
     * @param epoch the epoch, from 0 (as {@link StepMetrics#epoch()})
     * @param trainLoss the epoch's mean training loss
     * @param trainAcc1 the epoch's mean training top-1 accuracy, in percent
     * @param valLoss the validation loss
     * @param valAcc1 validation top-1 accuracy, in percent
     * @param valAcc5 validation top-5 accuracy, in percent
     * @param bestAcc1 the best validation top-1 accuracy so far, this epoch's included
     * @param best whether this epoch is a new best (its checkpoint becomes model_best.pth.tar)
     * @param seconds the epoch's wall time, training and validation
     */
    record EpochMetrics(int epoch, double trainLoss, double trainAcc1, double valLoss, double valAcc1, double valAcc5,
                        double bestAcc1, boolean best, double seconds) {
        /**
         * Epochs done: the epoch column of train.log and val.log.
         *
         * @return {@code epoch() + 1}
         */
        public int epochsDone() {
            return epoch + 1;
        }
    }

    /**
     * Called after every training step.
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
