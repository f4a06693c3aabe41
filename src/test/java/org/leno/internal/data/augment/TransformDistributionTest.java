package org.leno.internal.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.leno.internal.data.datasets.FashionMnist;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.data.loader.Transform;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.testing.Fixtures;

/**
 * The training transform (RandomResizedCrop, flip, normalise), as the trainer builds it, against
 * torchvision's on the same image (scripts/make_transform_fixtures.py): over 4,000 draws each, the
 * per-pixel mean and variance of the two agree within sampling error, for a 28x28 Fashion-MNIST
 * image upscaled to 32 and a 500x375 image cropped to 224 (compared over 8x8 blocks).
 *
 * <p>Each difference is divided by its standard error (from the per-pixel variance and fourth
 * moment of both sides; averaging over a block can only shrink the true error, so these z-scores
 * are conservative). Under equal distributions |z| exceeds 4 about once in 16,000 values; the test
 * allows 0.2% of them. A small bias shared by all pixels hides in per-pixel tests, so each
 * channel's mean and mean square over the whole image are also compared, with standard errors from
 * their spread across draws (exact, however correlated neighbouring pixels are): |z| < 4.
 */
class TransformDistributionTest {
    private static final Map<String, TensorData> TORCHVISION = read();
    private static final int DRAWS = (int) TORCHVISION.get("draws").toDoubles()[0];

    @ParameterizedTest(name = "{0}")
    @CsvSource({"fashion32,32", "photo224,224"})
    void matchesTorchvisionsPerPixelMeanAndVariance(String name, int size) {
        int block = (int) TORCHVISION.get(name + ".block").toDoubles()[0];
        double[][] ours;
        try (Mat image = name.startsWith("fashion") ? FashionMnist.embedded("train").rgb(0)
                : ImageDecoder.withDefaultLimit().decode(Fixtures.path("transform/photo.png"))) {
            ours = moments(Augmentation.NONE.trainTransform(size, RandomResizedCrop.IMAGENET), image, size, block);
        }
        double[] tvMean = TORCHVISION.get(name + ".mean").toDoubles();
        double[] tvVar = TORCHVISION.get(name + ".var").toDoubles();
        double[] tvM4 = TORCHVISION.get(name + ".m4").toDoubles();
        Stats mean = new Stats();
        Stats var = new Stats();
        for (int i = 0; i < tvMean.length; i++) {
            mean.add((ours[0][i] - tvMean[i]) / Math.sqrt((ours[1][i] + tvVar[i]) / DRAWS));
            double seVar = Math.sqrt((Math.max(ours[2][i] - ours[1][i] * ours[1][i], 0)
                    + Math.max(tvM4[i] - tvVar[i] * tvVar[i], 0)) / DRAWS);
            var.add((ours[1][i] - tvVar[i]) / seVar);
        }
        double[] globalZ = new double[6];
        double[] tvGlobalMean = TORCHVISION.get(name + ".global_mean").toDoubles();
        double[] tvGlobalVar = TORCHVISION.get(name + ".global_var").toDoubles();
        for (int k = 0; k < 6; k++) {
            globalZ[k] = (ours[3][k] - tvGlobalMean[k]) / Math.sqrt((ours[4][k] + tvGlobalVar[k]) / DRAWS);
        }
        System.out.printf("%s: per-pixel mean z avg %.3f (|z|>4: %d of %d), variance z avg %.3f (|z|>4: %d); "
                        + "channel mean z %s, mean-square z %s%n", name, mean.average(), mean.beyond4, mean.n,
                var.average(), var.beyond4, Arrays.toString(Arrays.copyOf(round(globalZ), 3)),
                Arrays.toString(Arrays.copyOfRange(round(globalZ), 3, 6)));
        for (Stats s : new Stats[] {mean, var}) {
            assertThat(s.beyond4).as("values with |z| > 4").isLessThanOrEqualTo(Math.max(1, s.n / 500));
        }
        for (double z : globalZ) {
            assertThat(Math.abs(z)).as("channel mean and mean square, z").isLessThan(4);
        }
    }

    private static double[] round(double[] v) {
        return Arrays.stream(v).map(x -> Math.round(x * 100) / 100.0).toArray();
    }

    /**
     * Per output value (block-averaged): mean, variance and fourth central moment over the draws; then
     * per channel the average over draws of the image's mean (0-2) and mean square (3-5), and the
     * variance over draws of each.
     */
    private static double[][] moments(Transform transform, Mat image, int size, int block) {
        int n = 3 * size * size;
        double[] s1 = new double[n];
        double[] s2 = new double[n];
        double[] s3 = new double[n];
        double[] s4 = new double[n];
        float[] x = new float[n];
        double[] g1 = new double[6];
        double[] g2 = new double[6];
        int plane = size * size;
        try (FloatPointer dst = new FloatPointer(n)) {
            for (int d = 0; d < DRAWS; d++) {
                transform.apply(image, new SplittableRandom(1_000 + d), dst);
                dst.get(x);
                double[] draw = new double[6];
                for (int i = 0; i < n; i++) {
                    double v = x[i];
                    double v2 = v * v;
                    s1[i] += v;
                    s2[i] += v2;
                    s3[i] += v2 * v;
                    s4[i] += v2 * v2;
                    draw[i / plane] += v / plane;
                    draw[3 + i / plane] += v2 / plane;
                }
                for (int k = 0; k < 6; k++) {
                    g1[k] += draw[k] / DRAWS;
                    g2[k] += draw[k] * draw[k] / DRAWS;
                }
            }
        }
        double[] globalVar = new double[6];
        for (int k = 0; k < 6; k++) {
            globalVar[k] = g2[k] - g1[k] * g1[k];
        }
        double[] mean = new double[n];
        double[] var = new double[n];
        double[] m4 = new double[n];
        for (int i = 0; i < n; i++) {
            double m = s1[i] / DRAWS;
            double e2 = s2[i] / DRAWS;
            double e3 = s3[i] / DRAWS;
            double e4 = s4[i] / DRAWS;
            mean[i] = m;
            var[i] = e2 - m * m;
            m4[i] = e4 - 4 * m * e3 + 6 * m * m * e2 - 3 * m * m * m * m;
        }
        return new double[][] {pool(mean, size, block), pool(var, size, block), pool(m4, size, block), g1, globalVar};
    }

    /** Averages over block x block squares of each channel, as avg_pool2d. */
    private static double[] pool(double[] chw, int size, int block) {
        int out = size / block;
        double[] pooled = new double[3 * out * out];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < size; y++) {
                for (int x = 0; x < size; x++) {
                    pooled[(c * out + y / block) * out + x / block] += chw[(c * size + y) * size + x] / (block * block);
                }
            }
        }
        return pooled;
    }

    private static final class Stats {
        int n;
        int beyond4;
        double sum;

        void add(double z) {
            n++;
            sum += z;
            if (Math.abs(z) > 4) {
                beyond4++;
            }
        }

        double average() { return sum / n; }
    }

    private static Map<String, TensorData> read() {
        Map<String, TensorData> out = new LinkedHashMap<>();
        ((Map<?, ?>) WeightFiles.readObject(Fixtures.path("transform/stats.pt"))).forEach((k, v) ->
                out.put((String) k, (TensorData) v));
        return out;
    }
}
