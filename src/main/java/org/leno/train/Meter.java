package org.leno.train;

/** The reference's AverageMeter: the last value and the running average weighted by sample count. */
final class Meter {
    private final String name;
    private final String format;
    private double value;
    private double sum;
    private long count;

    Meter(String name, String format) {
        this.name = name;
        this.format = format;
    }

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

    @Override
    public String toString() {
        return name + " " + String.format(format, value) + " (" + String.format(format, average()) + ")";
    }
}
