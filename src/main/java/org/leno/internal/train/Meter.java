package org.leno.internal.train;

import org.leno.internal.train.TrainingListener.Reading;

/** The reference's AverageMeter: the last value and the running average weighted by sample count. */
final class Meter {
    private double value;
    private double sum;
    private long count;

    void update(double v, long n) {
        value = v;
        sum += v * n;
        count += n;
    }

    void restore(double sum, long count) {
        this.sum = sum;
        this.count = count;
    }

    double average() { return count == 0 ? 0 : sum / count; }

    double sum() { return sum; }

    long count() { return count; }

    Reading reading() {
        return new Reading(value, average());
    }
}
