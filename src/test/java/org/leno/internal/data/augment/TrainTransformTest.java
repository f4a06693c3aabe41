package org.leno.internal.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;

class TrainTransformTest {

    @Test
    void randomResizedCropFollowsTorchvisionsAlgorithm() {
        RandomResizedCrop rrc = RandomResizedCrop.IMAGENET;
        SplittableRandom rng = new SplittableRandom(7);
        int n = 20000;
        double minArea = 1;
        double maxArea = 0;
        double sumLogRatio = 0;
        int small = 0;
        for (int i = 0; i < n; i++) {
            RandomResizedCrop.Box b = rrc.sample(500, 375, rng);
            assertThat(b.x()).isBetween(0, 500 - b.width());
            assertThat(b.y()).isBetween(0, 375 - b.height());
            double area = (double) b.width() * b.height() / (500 * 375);
            double ratio = (double) b.width() / b.height();
            // rounding of w and h widens the ranges slightly
            assertThat(area).isBetween(0.07, 1.0);
            assertThat(ratio).isBetween(0.74, 1.35);
            minArea = Math.min(minArea, area);
            maxArea = Math.max(maxArea, area);
            sumLogRatio += Math.log(ratio);
            if (area < 0.3) {
                small++;
            }
        }
        assertThat(minArea).isLessThan(0.09);
        assertThat(maxArea).isGreaterThan(0.95);
        // torchvision 0.14's RandomResizedCrop.get_params on a 500x375 image, 20,000-40,000 draws per seed:
        // mean log(w/h) 0.031 (a wide image rejects more tall boxes), area < 0.3 in 0.316-0.322 of draws
        assertThat(sumLogRatio / n).isBetween(0.02, 0.045);
        assertThat(small / (double) n).isBetween(0.30, 0.34);
        SplittableRandom square = new SplittableRandom(8);
        double logSum = 0;
        for (int i = 0; i < n; i++) {
            RandomResizedCrop.Box b = rrc.sample(400, 400, square);
            logSum += Math.log((double) b.width() / b.height());
        }
        assertThat(logSum / n).as("log-uniform ratio is symmetric on a square image").isCloseTo(0.0,
                Offset.offset(0.01));
    }

    @Test
    void randomResizedCropFallsBackToTheClampedCentreCrop() {
        // a 1000x10 strip: no sampled box fits, so the ratio is clamped to 4/3 around the centre
        RandomResizedCrop.Box b = RandomResizedCrop.IMAGENET.sample(1000, 10, new SplittableRandom(1));
        assertThat(b).isEqualTo(new RandomResizedCrop.Box((1000 - 13) / 2, 0, 13, 10));
        RandomResizedCrop.Box tall = RandomResizedCrop.IMAGENET.sample(10, 1000, new SplittableRandom(1));
        assertThat(tall).isEqualTo(new RandomResizedCrop.Box(0, (1000 - 13) / 2, 10, 13));
        RandomResizedCrop none = new RandomResizedCrop(1.0, 1.0, 1.0, 1.0);
        assertThat(none.sample(20, 20, new SplittableRandom(1))).isEqualTo(new RandomResizedCrop.Box(0, 0, 20, 20));
    }

    @Test
    void flipsFlip() {
        byte[] px = new byte[4 * 4 * 3];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 5);
        }
        RandomResizedCrop whole = new RandomResizedCrop(1.0, 1.0, 1.0, 1.0);
        try (BytePointer p = new BytePointer(px); Mat img = new Mat(4, 4, opencv_core.CV_8UC3, p);
             FloatPointer a = new FloatPointer(48); FloatPointer b = new FloatPointer(48)) {
            new TrainTransform(4, whole, 0.0).apply(img, new SplittableRandom(1), a);
            new TrainTransform(4, whole, 1.0).apply(img, new SplittableRandom(1), b);
            float[] fa = new float[48];
            float[] fb = new float[48];
            a.get(fa);
            b.get(fb);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 4; y++) {
                    for (int x = 0; x < 4; x++) {
                        assertThat(fb[c * 16 + y * 4 + x]).isEqualTo(fa[c * 16 + y * 4 + (3 - x)]);
                        float want = ((px[(y * 4 + x) * 3 + c] & 0xff) / 255f - Normalize.MEAN[c]) / Normalize.STD[c];
                        assertThat(fa[c * 16 + y * 4 + x]).isCloseTo(want, Offset.offset(1e-6f));
                    }
                }
            }
        }
    }
}
