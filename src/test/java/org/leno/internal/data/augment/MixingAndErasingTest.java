package org.leno.internal.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.Tensors;

/** Gamma/Beta draws, RandomErasing's boxes and fills, and mixup/cutmix on libtorch batches. */
class MixingAndErasingTest {

    private record Moments(double mean, double variance) {}

    private static Moments moments(int n, DoubleSupplier draw) {
        double s = 0;
        double s2 = 0;
        for (int i = 0; i < n; i++) {
            double x = draw.getAsDouble();
            s += x;
            s2 += x * x;
        }
        double mean = s / n;
        return new Moments(mean, s2 / n - mean * mean);
    }

    @Test
    void gammaAndBetaDrawsHaveTheirMeansAndVariances() {
        int n = 200_000;
        SplittableRandom rng = new SplittableRandom(3);
        for (double shape : new double[] {0.2, 1.0, 3.7}) {
            Moments m = moments(n, () -> Distributions.gamma(shape, rng));
            // Gamma(k, 1): mean k, variance k; 5 standard errors (the variance's from its fourth moment 3k^2 + 6k)
            assertThat(m.mean()).as("gamma " + shape).isCloseTo(shape, offset(5 * Math.sqrt(shape / n)));
            assertThat(m.variance()).as("gamma " + shape).isCloseTo(shape, offset(5 * Math.sqrt((2 * shape * shape + 6 * shape) / n)));
        }
        for (double[] ab : new double[][] {{0.2, 0.2}, {1, 1}, {2, 5}}) {
            double a = ab[0];
            double b = ab[1];
            Moments m = moments(n, () -> Distributions.beta(a, b, rng));
            double mean = a / (a + b);
            double var = a * b / ((a + b) * (a + b) * (a + b + 1));
            assertThat(m.mean()).as("beta " + a + "," + b).isCloseTo(mean, offset(5 * Math.sqrt(var / n)));
            assertThat(m.variance()).as("beta " + a + "," + b).isCloseTo(var, offset(0.02 * var + 5 * Math.sqrt(1.0 / n) * var));
        }
        assertThat(moments(n, () -> Distributions.beta(2, 5, rng)).mean())
                .as("the check can fail: Beta(2,5) is not Beta(5,2)").isNotCloseTo(5.0 / 7, offset(0.1));
    }

    @Test
    void erasingBoxesFollowTheScaleAndRatioRangesAndStayInside() {
        RandomErasing erasing = RandomErasing.of(1.0, false);
        SplittableRandom rng = new SplittableRandom(5);
        int size = 224;
        int n = 20000;
        int none = 0;
        double minScale = 1;
        double maxScale = 0;
        double sumLogRatio = 0;
        int boxes = 0;
        for (int i = 0; i < n; i++) {
            RandomErasing.Box b = erasing.sample(size, size, rng, new float[1][]);
            if (b == null) {
                none++;
                continue;
            }
            boxes++;
            assertThat(b.height()).isLessThan(size);
            assertThat(b.width()).isLessThan(size);
            assertThat(b.top() + b.height()).isLessThanOrEqualTo(size);
            assertThat(b.left() + b.width()).isLessThanOrEqualTo(size);
            double scale = (double) b.height() * b.width() / (size * size);
            double ratio = (double) b.height() / b.width();
            // rounding h and w to integers widens the ranges by about a pixel's worth
            assertThat(scale).isBetween(0.018, 0.34);
            assertThat(ratio).isBetween(0.28, 3.5);
            minScale = Math.min(minScale, scale);
            maxScale = Math.max(maxScale, scale);
            sumLogRatio += Math.log(ratio);
        }
        assertThat(minScale).isLessThan(0.025);
        assertThat(maxScale).isGreaterThan(0.32);
        // log-uniform ratio on a square image: symmetric, except that tall or wide boxes of large area do not fit
        assertThat(sumLogRatio / boxes).isCloseTo(0.0, offset(0.02));
        assertThat(none).as("10 attempts nearly always fit on a square image").isLessThan(n / 100);
    }

    @Test
    void erasingWritesZerosOrStandardNormalValuesIntoTheBoxOnly() {
        int size = 32;
        int per = size * size;
        for (boolean random : new boolean[] {false, true}) {
            RandomErasing erasing = RandomErasing.of(1.0, random);
            float[] image = new float[3 * per];
            Arrays.fill(image, 7f);
            try (FloatPointer p = new FloatPointer(image)) {
                erasing.apply(p, size, new SplittableRandom(11));
                p.get(image);
            }
            SplittableRandom same = new SplittableRandom(11);
            same.nextDouble(); // the probability draw
            RandomErasing.Box b = erasing.sample(size, size, same, new float[1][]);
            double sum = 0;
            double sum2 = 0;
            int inside = 0;
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < size; y++) {
                    for (int x = 0; x < size; x++) {
                        float v = image[c * per + y * size + x];
                        boolean in = y >= b.top() && y < b.top() + b.height() && x >= b.left() && x < b.left() + b.width();
                        if (!in) {
                            assertThat(v).isEqualTo(7f);
                        } else if (!random) {
                            assertThat(v).isZero();
                        } else {
                            sum += v;
                            sum2 += v * v;
                            inside++;
                        }
                    }
                }
            }
            if (random) {
                assertThat(inside).isGreaterThan(30);
                assertThat(sum / inside).isCloseTo(0.0, offset(5 / Math.sqrt(inside)));
                assertThat(sum2 / inside).isCloseTo(1.0, offset(7 * Math.sqrt(2.0 / inside)));
            }
        }
        float[] untouched = new float[3 * per];
        try (FloatPointer p = new FloatPointer(untouched)) {
            RandomErasing.of(0.0, false).apply(p, size, new SplittableRandom(1));
        }
        assertThat(RandomErasing.of(0.0, false).isOff()).isTrue();
        assertThatThrownBy(() -> RandomErasing.of(1.5, false)).hasMessageContaining("--random-erase");
    }

    private static float[] ramp(int n, int c, int h, int w) {
        float[] v = new float[n * c * h * w];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.37) + i / (float) v.length;
        }
        return v;
    }

    @Test
    void mixupBlendsEachImageWithItsPredecessorAndTargetsSumToOne() {
        Natives.load();
        int n = 5;
        int classes = 4;
        float[] x = ramp(n, 3, 6, 7);
        long[] labels = {0, 3, 3, 1, 2};
        BatchMix mix = new BatchMix(0.2, 0, classes);
        try (Tensor images = Tensors.fromFloats(x, n, 3, 6, 7); Tensor y = longs(labels);
             BatchMix.Mixed m = mix.apply(images, y, BatchMix.stream(1, 2, 3, 0))) {
            assertThat(m.kind()).isEqualTo(BatchMix.Kind.MIXUP);
            double lam = m.lambda();
            float[] got = Tensors.floats(images);
            int per = 3 * 6 * 7;
            for (int i = 0; i < n; i++) {
                int prev = (i + n - 1) % n;
                for (int k = 0; k < per; k++) {
                    double want = lam * x[i * per + k] + (1 - lam) * x[prev * per + k];
                    assertThat((double) got[i * per + k]).isCloseTo(want, offset(1e-5));
                }
            }
            float[] t = Tensors.floats(m.targets());
            for (int i = 0; i < n; i++) {
                float rowSum = 0;
                for (int c = 0; c < classes; c++) {
                    rowSum += t[i * classes + c];
                }
                assertThat(rowSum).isCloseTo(1f, offset(1e-6f));
                int prev = (i + n - 1) % n;
                assertThat(t[i * classes + (int) labels[i]]).isGreaterThanOrEqualTo((float) lam - 1e-6f);
                long dominant = labels[i] == labels[prev] ? labels[i] : lam > 0.5 ? labels[i] : labels[prev];
                assertThat(m.dominantLabels()[i]).isEqualTo(dominant);
            }
            assertThat(t[2 * classes + 3]).as("both images of class 3").isCloseTo(1f, offset(1e-6f));
        }
    }

    @Test
    void cutmixPastesThePredecessorsBoxAndLambdaIsTheUnpastedArea() {
        Natives.load();
        int n = 4;
        int h = 20;
        int w = 30;
        float[] x = ramp(n, 3, h, w);
        long[] labels = {1, 0, 2, 1};
        BatchMix mix = new BatchMix(0, 1.0, 3);
        int seen = 0;
        for (int iteration = 0; iteration < 40; iteration++) {
            try (Tensor images = Tensors.fromFloats(x, n, 3, h, w); Tensor nhwc = images.contiguous(torch.MemoryFormat.ChannelsLast);
                 Tensor y = longs(labels); BatchMix.Mixed m = mix.apply(nhwc, y, BatchMix.stream(9, 0, iteration, 1))) {
                assertThat(m.kind()).isEqualTo(BatchMix.Kind.CUTMIX);
                BatchMix.Box b = m.box();
                assertThat(m.lambda()).isEqualTo(1.0 - (double) b.area() / (h * w));
                float[] got = Tensors.floats(nhwc);
                for (int i = 0; i < n; i++) {
                    int prev = (i + n - 1) % n;
                    for (int c = 0; c < 3; c++) {
                        for (int yy = 0; yy < h; yy++) {
                            for (int xx = 0; xx < w; xx++) {
                                boolean in = yy >= b.y1() && yy < b.y2() && xx >= b.x1() && xx < b.x2();
                                int src = in ? prev : i;
                                int off = ((c * h) + yy) * w + xx;
                                assertThat(got[i * 3 * h * w + off]).isEqualTo(x[src * 3 * h * w + off]);
                            }
                        }
                    }
                }
                float[] t = Tensors.floats(m.targets());
                for (int i = 0; i < n; i++) {
                    float rowSum = t[i * 3] + t[i * 3 + 1] + t[i * 3 + 2];
                    assertThat(rowSum).isCloseTo(1f, offset(1e-6f));
                    int prev = (i + n - 1) % n;
                    double own = labels[i] == labels[prev] ? 1.0 : m.lambda();
                    assertThat((double) t[i * 3 + (int) labels[i]]).isCloseTo(own, offset(1e-6));
                }
                seen += b.area() > 0 && b.area() < h * w ? 1 : 0;
            }
        }
        assertThat(seen).as("boxes of partial area").isGreaterThan(10);
    }

    @Test
    void withBothAlphasEachBatchIsMixupOrCutmixEvenlyAndTheStreamRepeats() {
        Natives.load();
        BatchMix mix = new BatchMix(0.2, 1.0, 2);
        int cut = 0;
        int n = 400;
        for (int i = 0; i < n; i++) {
            try (Tensor images = Tensors.fromFloats(new float[2 * 3 * 4 * 4], 2, 3, 4, 4); Tensor y = longs(new long[] {0, 1});
                 BatchMix.Mixed m = mix.apply(images, y, BatchMix.stream(7, 1, i, 0));
                 Tensor again = Tensors.fromFloats(new float[2 * 3 * 4 * 4], 2, 3, 4, 4);
                 BatchMix.Mixed m2 = mix.apply(again, y, BatchMix.stream(7, 1, i, 0))) {
                cut += m.kind() == BatchMix.Kind.CUTMIX ? 1 : 0;
                assertThat(m2.lambda()).isEqualTo(m.lambda());
                assertThat(m2.kind()).isEqualTo(m.kind());
            }
        }
        assertThat(cut).isBetween(n / 2 - 50, n / 2 + 50); // 5 standard errors
        assertThat(BatchMix.stream(7, 1, 0, 0).nextLong()).isNotEqualTo(BatchMix.stream(7, 1, 0, 1).nextLong());
        assertThatThrownBy(() -> new BatchMix(-1, 0, 3)).hasMessageContaining("--mixup-alpha");
    }

    private static Tensor longs(long[] v) {
        try (LongPointer p = new LongPointer(v)) {
            return torch.from_blob(p, new long[] {v.length}, new TensorOptions(torch.ScalarType.Long)).clone();
        }
    }
}
