package org.leno.internal.serve;

import java.util.Locale;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/** A Prometheus histogram: cumulative buckets, sum and count, safe from any thread. */
final class Histogram {
    static final double[] SECONDS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
    static final double[] SIZES = {1, 2, 4, 8, 16, 32, 64, 128};

    private final double[] bounds;
    private final LongAdder[] counts;
    private final DoubleAdder sum = new DoubleAdder();

    Histogram(double[] bounds) {
        this.bounds = bounds.clone();
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    void observe(double value) {
        int i = 0;
        while (i < bounds.length && value > bounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(value);
    }

    /** The histogram's lines for {@code name} with {@code labels} (as {@code model="a",} or empty). */
    void render(StringBuilder out, String name, String labels) {
        long cumulative = 0;
        for (int i = 0; i <= bounds.length; i++) {
            cumulative += counts[i].sum();
            String le = i < bounds.length ? number(bounds[i]) : "+Inf";
            out.append(name).append("_bucket{").append(labels).append("le=\"").append(le).append("\"} ")
                    .append(cumulative).append('\n');
        }
        String plain = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
        out.append(name).append("_sum").append(plain).append(' ').append(number(sum.sum())).append('\n');
        out.append(name).append("_count").append(plain).append(' ').append(cumulative).append('\n');
    }

    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.6g", v);
    }
}
