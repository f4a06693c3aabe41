package org.leno.internal.data.augment;

import java.nio.FloatBuffer;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.leno.internal.data.loader.NativeViews;

/**
 * torchvision's RandomErasing on a normalised CHW image: with probability {@code p}, a box of area
 * fraction uniform in [scaleMin, scaleMax] and aspect ratio (height / width) log-uniform in
 * [ratioMin, ratioMax], 10 attempts to fit strictly inside the image, else nothing; the box is set
 * to 0 (torchvision's default {@code value=0}) or, with {@code randomValues}, to standard normal
 * values per pixel and channel ({@code value="random"}).
 */
public record RandomErasing(double p, double scaleMin, double scaleMax, double ratioMin, double ratioMax,
        boolean randomValues) {
    public static final RandomErasing OFF = new RandomErasing(0, 0.02, 0.33, 0.3, 3.3, false);

    public RandomErasing {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("--random-erase must be a probability in [0, 1], got " + p);
        }
        if (!(0 <= scaleMin && scaleMin <= scaleMax && scaleMax <= 1 && 0 < ratioMin && ratioMin <= ratioMax)) {
            throw new IllegalArgumentException("random erasing needs 0 <= scale min <= max <= 1 and 0 < ratio min <= max");
        }
    }

    /** torchvision's RandomErasing(p) with its defaults: scale (0.02, 0.33), ratio (0.3, 3.3). */
    public static RandomErasing of(double p, boolean randomValues) {
        return new RandomErasing(p, 0.02, 0.33, 0.3, 3.3, randomValues);
    }

    public boolean isOff() {
        return p == 0;
    }

    /** A box: top row, left column, height and width. */
    record Box(int top, int left, int height, int width) {}

    /** torchvision's get_params; null when no attempt fits. {@code values} receives the random fill if wanted. */
    Box sample(int height, int width, SplittableRandom rng, float[][] values) {
        double area = (double) height * width;
        double logMin = Math.log(ratioMin);
        double logMax = Math.log(ratioMax);
        for (int attempt = 0; attempt < 10; attempt++) {
            double eraseArea = area * uniform(rng, scaleMin, scaleMax);
            double aspect = Math.exp(uniform(rng, logMin, logMax));
            int h = (int) Math.rint(Math.sqrt(eraseArea * aspect));
            int w = (int) Math.rint(Math.sqrt(eraseArea / aspect));
            if (!(h < height && w < width)) {
                continue;
            }
            if (randomValues) {
                float[] v = new float[3 * h * w];
                for (int k = 0; k < v.length; k++) {
                    v[k] = (float) rng.nextGaussian();
                }
                values[0] = v;
            }
            int top = rng.nextInt(height - h + 1);
            int left = rng.nextInt(width - w + 1);
            return new Box(top, left, h, w);
        }
        return null;
    }

    /** Erases in the 3 x size x size float image at {@code chw} (nothing when p is 0: no draw either). */
    void apply(FloatPointer chw, int size, SplittableRandom rng) {
        if (isOff() || !(rng.nextDouble() < p)) {
            return;
        }
        float[][] values = new float[1][];
        Box b = sample(size, size, rng, values);
        if (b == null || b.height() == 0 || b.width() == 0) {
            return;
        }
        FloatBuffer image = NativeViews.floatAt(chw, 0).capacity(3L * size * size).asBuffer();
        float[] row = new float[b.width()];
        int k = 0;
        for (int c = 0; c < 3; c++) {
            for (int y = b.top(); y < b.top() + b.height(); y++) {
                if (values[0] != null) {
                    System.arraycopy(values[0], k, row, 0, row.length);
                    k += row.length;
                }
                image.put(c * size * size + y * size + b.left(), row, 0, row.length);
            }
        }
    }

    private static double uniform(SplittableRandom rng, double lo, double hi) {
        return lo == hi ? lo : lo + (hi - lo) * rng.nextDouble();
    }
}
