package org.leno.internal.data.augment;

import java.util.SplittableRandom;

/** Gamma, Beta and Dirichlet draws from a seeded stream (Marsaglia and Tsang's method for Gamma). */
final class Distributions {
    private Distributions() {
    }

    /** Gamma(shape, 1); shapes below 1 use Gamma(shape + 1) * U^(1/shape). */
    static double gamma(double shape, SplittableRandom rng) {
        if (!(shape > 0)) {
            throw new IllegalArgumentException("gamma shape must be positive, got " + shape);
        }
        if (shape < 1) {
            return gamma(shape + 1, rng) * Math.pow(uniformOpenAtZero(rng), 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / Math.sqrt(9.0 * d);
        while (true) {
            double x = rng.nextGaussian();
            double v = 1.0 + c * x;
            if (v <= 0) {
                continue;
            }
            v = v * v * v;
            double u = uniformOpenAtZero(rng);
            if (u < 1.0 - 0.0331 * x * x * x * x || Math.log(u) < 0.5 * x * x + d * (1.0 - v + Math.log(v))) {
                return d * v;
            }
        }
    }

    /** Beta(a, b) as X / (X + Y) of two Gamma draws. */
    static double beta(double a, double b, SplittableRandom rng) {
        return dirichlet(new double[] {a, b}, rng)[0];
    }

    /** Dirichlet(alpha) as normalised Gamma draws; if all underflow to 0, one component drawn uniformly gets 1. */
    static double[] dirichlet(double[] alpha, SplittableRandom rng) {
        double[] x = new double[alpha.length];
        double sum = 0;
        for (int i = 0; i < alpha.length; i++) {
            x[i] = gamma(alpha[i], rng);
            sum += x[i];
        }
        if (sum == 0) {
            x[rng.nextInt(alpha.length)] = 1;
            return x;
        }
        for (int i = 0; i < alpha.length; i++) {
            x[i] /= sum;
        }
        return x;
    }

    private static double uniformOpenAtZero(SplittableRandom rng) {
        return 1.0 - rng.nextDouble();
    }
}
