package org.leno.internal.data.augment;

import java.util.SplittableRandom;

/**
 * torchvision's RandomResizedCrop box: an area fraction uniform in [scaleMin, scaleMax] and an
 * aspect ratio log-uniform in [ratioMin, ratioMax], 10 attempts, then the centre crop clamped to
 * the allowed ratio.
 */
public record RandomResizedCrop(double scaleMin, double scaleMax, double ratioMin, double ratioMax) {
    public static final RandomResizedCrop IMAGENET = new RandomResizedCrop(0.08, 1.0, 3.0 / 4.0, 4.0 / 3.0);

    public RandomResizedCrop {
        if (!(0 < scaleMin && scaleMin <= scaleMax && scaleMax <= 1.0)) {
            throw new IllegalArgumentException("crop scale range must satisfy 0 < min <= max <= 1, got "
                    + scaleMin + ".." + scaleMax);
        }
        if (!(0 < ratioMin && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("crop ratio range must satisfy 0 < min <= max, got "
                    + ratioMin + ".." + ratioMax);
        }
    }

    /** A crop box: top-left (x, y), width and height. */
    public record Box(int x, int y, int width, int height) {}

    public Box sample(int width, int height, SplittableRandom rng) {
        double area = (double) width * height;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double targetArea = area * uniform(rng, scaleMin, scaleMax);
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int w = (int) Math.rint(Math.sqrt(targetArea * aspect));
            int h = (int) Math.rint(Math.sqrt(targetArea / aspect));
            if (0 < w && w <= width && 0 < h && h <= height) {
                int y = rng.nextInt(height - h + 1);
                int x = rng.nextInt(width - w + 1);
                return new Box(x, y, w, h);
            }
        }
        double inRatio = (double) width / height;
        int w;
        int h;
        if (inRatio < ratioMin) {
            w = width;
            h = (int) Math.rint(w / ratioMin);
        } else if (inRatio > ratioMax) {
            h = height;
            w = (int) Math.rint(h * ratioMax);
        } else {
            w = width;
            h = height;
        }
        return new Box((width - w) / 2, (height - h) / 2, w, h);
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }
}
