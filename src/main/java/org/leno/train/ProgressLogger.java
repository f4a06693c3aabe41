package org.leno.train;

import java.io.PrintStream;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.leno.train.TrainingListener.Metrics;
import org.leno.train.TrainingListener.StepEvent;

/**
 * The meters and printed lines of one pass over a loader, training or validation, as torchvision's
 * MetricLogger.log_every: step and data times, loss, Acc@1 and Acc@5; the reference's progress line
 * every --print-freq steps, a progress bar (training, when asked for and stdout is a terminal), and
 * the pass's summary lines. Its clock starts when it is created, just before the first batch is asked for.
 */
final class ProgressLogger implements AutoCloseable {
    private final PrintStream out;
    private final String prefix;
    private final String position;
    private final int printFreq;
    private final int epoch;
    private final Meter batchTime = new Meter("Time", "%6.3f");
    /** Training only (the reference prints no data time when validating). */
    private final Meter dataTime;
    private final Meter losses = new Meter("Loss", "%.4e");
    private final Meter top1 = new Meter("Acc@1", "%6.2f");
    private final Meter top5 = new Meter("Acc@5", "%6.2f");
    private final ProgressBar bar;
    private long end = System.nanoTime();
    private double lastLoss;
    private int lastSize;

    private ProgressLogger(PrintStream out, String prefix, int epoch, int batches, int printFreq, boolean training,
                           ProgressBar bar) {
        this.out = out;
        this.prefix = prefix;
        this.position = "[%" + Integer.toString(batches).length() + "d/" + batches + "]";
        this.epoch = epoch;
        this.printFreq = printFreq;
        this.dataTime = training ? new Meter("Data", "%6.3f") : null;
        this.bar = bar;
    }

    /** "Epoch: [E][ i/N]" lines every --print-freq steps, and a progress bar with --progress when stdout is a terminal. */
    static ProgressLogger training(PrintStream out, int epoch, int batches, TrainConfig.Runtime runtime) {
        ProgressBar bar = runtime.progress() && System.console() != null ? new ProgressBarBuilder().setTaskName("epoch " + epoch)
                .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).continuousUpdate().build() : null;
        return new ProgressLogger(out, "Epoch: [" + epoch + "]", epoch, batches, runtime.printFreq(), true, bar);
    }

    /** "{label}Test: [ i/N]" lines every --print-freq steps ({@code label}: "" or "EMA "). */
    static ProgressLogger validation(PrintStream out, String label, int batches, TrainConfig.Runtime runtime) {
        return new ProgressLogger(out, label + "Test: ", -1, batches, runtime.printFreq(), false, null);
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
        lastLoss = loss;
        lastSize = n;
    }

    /** Step {@code i} is done: times it, moves the bar, prints its line every --print-freq steps. */
    StepEvent stepDone(int i, int steps, double lr, boolean update, long updates) {
        double seconds = (System.nanoTime() - end) / 1e9;
        batchTime.update(seconds, 1);
        end = System.nanoTime();
        if (bar != null) {
            bar.stepTo(i + 1);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc@1 %.2f", losses.average(), top1.average()));
        }
        if (i % printFreq == 0) {
            String at = prefix + String.format(position, i);
            out.println(dataTime != null
                    ? String.join("\t", at, batchTime.toString(), dataTime.toString(), losses.toString(), top1.toString(),
                            top5.toString())
                    : String.join("\t", at, batchTime.toString(), losses.toString(), top1.toString(), top5.toString()));
        }
        return new StepEvent(epoch, i, steps, lastLoss, lr, seconds, lastSize / seconds, update, updates);
    }

    /** A line of the loader's (unreadable images skipped), or nothing when null. */
    void note(String line) {
        if (line != null) {
            out.println(line);
        }
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

    /** The reference's " * Acc@1 ... Acc@5 ..." line after validating. */
    static void summary(PrintStream out, String label, Metrics m) {
        out.printf(Locale.ROOT, " * %sAcc@1 %.3f Acc@5 %.3f%n", label, m.acc1(), m.acc5());
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
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
