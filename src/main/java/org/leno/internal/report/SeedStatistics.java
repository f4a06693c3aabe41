package org.leno.internal.report;

/**
 * Statistics over seeds: mean, sample standard deviation (n - 1), and the paired Student t interval
 * of a difference. The t quantile is the inverse of the t CDF, computed (not tabulated): the CDF
 * from the regularized incomplete beta function (continued fraction, log-gamma by Lanczos), inverted
 * by bisection to the last few bits of a double.
 */
final class SeedStatistics {
    private SeedStatistics() {
    }

    /** A paired difference a - b over n seeds; low and high are NaN below 2 seeds (no interval). */
    record Interval(int n, double mean, double sd, double low, double high) {
        boolean hasInterval() {
            return n >= 2;
        }

        /** The interval excludes 0. */
        boolean resolved() {
            return hasInterval() && (low > 0 || high < 0);
        }
    }

    static double mean(double[] x) {
        if (x.length == 0) {
            return Double.NaN;
        }
        double s = 0;
        for (double v : x) {
            s += v;
        }
        return s / x.length;
    }

    /** Sample standard deviation (divisor n - 1); NaN below 2 values. */
    static double sd(double[] x) {
        if (x.length < 2) {
            return Double.NaN;
        }
        double m = mean(x);
        double ss = 0;
        for (double v : x) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / (x.length - 1));
    }

    /** The {@code level} (e.g. 0.95) two-sided t interval of the mean of a[i] - b[i]. */
    static Interval paired(double[] a, double[] b, double level) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("paired values: " + a.length + " and " + b.length);
        }
        double[] d = new double[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        double m = mean(d);
        double s = sd(d);
        if (d.length < 2) {
            return new Interval(d.length, m, s, Double.NaN, Double.NaN);
        }
        double half = tQuantile(0.5 + level / 2, d.length - 1) * s / Math.sqrt(d.length);
        return new Interval(d.length, m, s, m - half, m + half);
    }

    /** P(T <= t) for Student's t with {@code df} degrees of freedom. */
    static double tCdf(double t, double df) {
        double tail = 0.5 * regularizedBeta(df / (df + t * t), df / 2, 0.5);
        return t < 0 ? tail : 1 - tail;
    }

    /** The t with P(T <= t) = p. */
    static double tQuantile(double p, double df) {
        if (!(p > 0 && p < 1) || !(df > 0)) {
            throw new IllegalArgumentException("t quantile needs 0 < p < 1 and df > 0, got p " + p + ", df " + df);
        }
        if (p < 0.5) {
            return -tQuantile(1 - p, df);
        }
        double lo = 0;
        double hi = 1;
        while (tCdf(hi, df) < p) {
            lo = hi;
            hi *= 2;
        }
        for (int i = 0; i < 200 && hi - lo > 1e-15 * hi; i++) {
            double mid = (lo + hi) / 2;
            if (tCdf(mid, df) < p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** I_x(a, b), by the continued fraction on the side where it converges fast. */
    static double regularizedBeta(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
        if (x < (a + 1) / (a + b + 2)) {
            return front * betaFraction(x, a, b) / a;
        }
        return 1 - front * betaFraction(1 - x, b, a) / b;
    }

    /** The continued fraction of the incomplete beta function (modified Lentz). */
    private static double betaFraction(double x, double a, double b) {
        double tiny = 1e-300;
        double c = 1;
        double d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.abs(d) < tiny ? tiny : d);
        double h = d;
        for (int m = 1; m <= 10_000; m++) {
            int m2 = 2 * m;
            double even = m * (b - m) * x / ((a + m2 - 1) * (a + m2));
            d = 1 / nonZero(1 + even * d, tiny);
            c = nonZero(1 + even / c, tiny);
            h *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1));
            d = 1 / nonZero(1 + odd * d, tiny);
            c = nonZero(1 + odd / c, tiny);
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < 1e-16) {
                break;
            }
        }
        return h;
    }

    private static double nonZero(double v, double tiny) {
        return Math.abs(v) < tiny ? tiny : v;
    }

    private static final double[] LANCZOS = {0.99999999999980993, 676.5203681218851, -1259.1392167224028,
            771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
            9.9843695780195716e-6, 1.5056327351493116e-7};

    /** log Gamma(x) for x > 0 (Lanczos, g = 7). */
    static double logGamma(double x) {
        if (x < 0.5) {
            return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
        }
        double z = x - 1;
        double s = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            s += LANCZOS[i] / (z + i);
        }
        double t = z + 7.5;
        return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
    }
}
