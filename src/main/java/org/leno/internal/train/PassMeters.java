package org.leno.internal.train;

import org.leno.internal.train.TrainingListener.Meters;
import org.leno.internal.train.TrainingListener.Metrics;

/**
 * The meters of one pass over a loader, training or validation, as the reference's AverageMeters and
 * torchvision's MetricLogger keep them: step and data times, loss, Acc@1 and Acc@5. Its clock starts
 * when it is created, just before the first batch is asked for. What is printed of them is
 * {@link ProgressPrinter}'s, a listener.
 */
final class PassMeters {
    private final Meter batchTime = new Meter();
    /** Training only (the reference prints no data time when validating). */
    private final Meter dataTime;
    private final Meter losses = new Meter();
    private final Meter top1 = new Meter();
    private final Meter top5 = new Meter();
    private final int epoch;
    private long end = System.nanoTime();
    private int lastSize;
    private double lastSeconds;

    private PassMeters(int epoch, boolean training) {
        this.epoch = epoch;
        this.dataTime = training ? new Meter() : null;
    }

    static PassMeters training(int epoch) {
        return new PassMeters(epoch, true);
    }

    static PassMeters validation() {
        return new PassMeters(-1, false);
    }

    /** Continues an interrupted epoch's averages. */
    void restore(Checkpoint.MidEpoch m) {
        losses.restore(m.lossSum(), m.count());
        top1.restore(m.acc1Sum(), m.count());
        top5.restore(m.acc5Sum(), m.count());
    }

    /** The step's batch has arrived: the time since the last step ended is its data time. */
    void dataLoaded() {
        dataTime.update((System.nanoTime() - end) / 1e9, 1);
    }

    /** The step's loss and top-1/top-5 hits over its {@code n} images. */
    void record(double loss, long hits1, long hits5, int n) {
        losses.update(loss, n);
        top1.update(100.0 * hits1 / n, n);
        top5.update(100.0 * hits5 / n, n);
        lastSize = n;
    }

    /** The step is done: times it, and returns the meters as they stand. */
    Meters stepDone() {
        lastSeconds = (System.nanoTime() - end) / 1e9;
        batchTime.update(lastSeconds, 1);
        end = System.nanoTime();
        return new Meters(batchTime.reading(), dataTime == null ? null : dataTime.reading(), losses.reading(),
                top1.reading(), top5.reading());
    }

    /** The last step's images per second. */
    double lastImagesPerSecond() {
        return lastSize / lastSeconds;
    }

    Metrics averages() {
        return new Metrics(losses.average(), top1.average(), top5.average());
    }

    /** Sums of loss, Acc@1 and Acc@5 over the images so far, and the image count: what ranks add up. */
    double[] sums() {
        return new double[] {losses.sum(), top1.sum(), top5.sum(), losses.count()};
    }

    /** Where an epoch interrupted after {@code batchesDone} batches stands, for its checkpoint. */
    Checkpoint.MidEpoch midEpoch(int batchesDone) {
        return new Checkpoint.MidEpoch(epoch, batchesDone, losses.sum(), top1.sum(), top5.sum(), losses.count());
    }

    /** A wall clock for a stretch of the run (an epoch's training, its validation). */
    record Clock(long startNanos) {
        static Clock start() {
            return new Clock(System.nanoTime());
        }

        double seconds() {
            return (System.nanoTime() - startNanos) / 1e9;
        }
    }
}
