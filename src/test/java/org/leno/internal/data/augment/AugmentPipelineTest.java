package org.leno.internal.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.data.datasets.ImageFolder;
import org.leno.internal.data.datasets.TestImages;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.data.loader.Batch;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.data.loader.RASampler;
import org.leno.internal.data.loader.Sampler;
import org.leno.internal.nn.Tensors;

/** The augmentations inside the training transform and the loader: order, determinism, resume. */
class AugmentPipelineTest {
    private static final Augmentation EVERYTHING = new Augmentation(AugmentPolicy.TA_WIDE, 9, 3, 0.5, EraseValue.RANDOM,
            0.2, 1.0, Interpolation.BICUBIC, Resampler.PIL, false, 3);

    private static float[] transform(TrainTransform t, Mat img, long seed) {
        int s = t.outputSize();
        float[] out = new float[3 * s * s];
        try (FloatPointer p = new FloatPointer(out.length)) {
            t.apply(img, new SplittableRandom(seed), p);
            p.get(out);
        }
        return out;
    }

    private static Mat gradient(int w, int h) {
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                px[(y * w + x) * 3] = (byte) (x * 255 / w);
                px[(y * w + x) * 3 + 1] = (byte) (y * 255 / h);
                px[(y * w + x) * 3 + 2] = (byte) ((x * y) % 256);
            }
        }
        Mat m = new Mat(h, w, opencv_core.CV_8UC3);
        ImageOps.put(m, px);
        return m;
    }

    @Test
    void thePolicyRunsAfterTheFlipOnTheResizedImage() {
        RandomResizedCrop whole = new RandomResizedCrop(1.0, 1.0, 1.0, 1.0);
        ImageAugment identity = (rgb, rng) -> { };
        List<int[]> sizes = new ArrayList<>();
        ImageAugment recordSize = (rgb, rng) -> sizes.add(new int[] {rgb.cols(), rgb.rows()});
        try (Mat img = gradient(40, 30)) {
            for (double flip : new double[] {0.0, 1.0}) {
                TrainTransform plain = new TrainTransform(16, whole, flip);
                TrainTransform viaPolicyPath = new TrainTransform(16, whole, flip, Resampler.PIL, Interpolation.BILINEAR, identity,
                        RandomErasing.OFF);
                assertThat(transform(viaPolicyPath, img, 3)).containsExactly(transform(plain, img, 3));
            }
            transform(new TrainTransform(16, whole, 0.5, Resampler.PIL, Interpolation.BILINEAR, recordSize, RandomErasing.OFF), img, 1);
            assertThat(sizes.get(0)).containsExactly(16, 16);
            // a policy that inverts: the normalised output is that of the inverted image
            ImageAugment invert = (rgb, rng) -> ImageOps.invert(rgb);
            float[] inverted = transform(new TrainTransform(16, whole, 0.0, Resampler.PIL, Interpolation.BILINEAR, invert,
                    RandomErasing.OFF), img, 3);
            float[] plain = transform(new TrainTransform(16, whole, 0.0), img, 3);
            for (int c = 0; c < 3; c++) {
                float x = plain[c * 256] * Normalize.STD[c] + Normalize.MEAN[c];
                float y = inverted[c * 256] * Normalize.STD[c] + Normalize.MEAN[c];
                assertThat(x + y).isCloseTo(1f, Offset.offset(1e-5f));
            }
        }
    }

    @Test
    void erasingRunsOnTheNormalisedOutput() {
        RandomResizedCrop whole = new RandomResizedCrop(1.0, 1.0, 1.0, 1.0);
        try (Mat img = gradient(64, 64)) {
            TrainTransform erase = new TrainTransform(64, whole, 0.0, Resampler.PIL, Interpolation.BILINEAR, null,
                    RandomErasing.of(1.0, false));
            float[] out = transform(erase, img, 4);
            float[] plain = transform(new TrainTransform(64, whole, 0.0), img, 4);
            int zeros = 0;
            int changed = 0;
            for (int i = 0; i < out.length; i++) {
                zeros += out[i] == 0f ? 1 : 0;
                changed += out[i] != plain[i] ? 1 : 0;
            }
            assertThat(zeros).as("erased values are exactly 0 after normalisation").isEqualTo(changed).isGreaterThan(3 * 64 * 64 / 60);
        }
    }

    @Test
    void interpolationSelectsTheResizeFilter() {
        try (Mat img = gradient(5, 4)) {
            // nearest enlarging 5x4 -> 10x8: PIL's and INTER_NEAREST_EXACT's rule, source floor((x + 0.5) / 2)
            ValTransform nearest = new ValTransform(8, 8, Resampler.PIL, Interpolation.NEAREST);
            float[] out = nearest.apply(img);
            byte[] px = ImageOps.bytes(img);
            // shorter side 4 -> 8, longer 5 -> 10, centre crop 8 of 10: columns 1..8
            for (int y = 0; y < 8; y++) {
                for (int x = 0; x < 8; x++) {
                    int sy = (int) Math.floor((y + 0.5) / 2);
                    int sx = (int) Math.floor((x + 1 + 0.5) / 2);
                    float want = ((px[(sy * 5 + sx) * 3] & 0xff) / 255f - Normalize.MEAN[0]) / Normalize.STD[0];
                    assertThat(out[y * 8 + x]).isCloseTo(want, Offset.offset(1e-5f));
                }
            }
            float[] bilinear = new ValTransform(8, 8, Resampler.PIL, Interpolation.BILINEAR).apply(img);
            float[] bicubic = new ValTransform(8, 8, Resampler.PIL, Interpolation.BICUBIC).apply(img);
            assertThat(bicubic).isNotEqualTo(bilinear).isNotEqualTo(out);
        }
        assertThat(Augmentation.NONE.valTransform(256, 224)).isEqualTo(ValTransform.of(256, 224));
    }

    private static List<float[]> epochImages(DataLoader loader, int epoch, int startBatch) {
        List<float[]> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch, startBatch)) {
            while (e.hasNext()) {
                try (Batch b = e.next()) {
                    out.add(Tensors.floats(b.images()));
                }
            }
        }
        return out;
    }

    @Test
    void everyAugmentationOnGivesTheSameBatchesWithAnyWorkerCountAndOnResume(@TempDir Path root) throws IOException {
        ImageFolder f = ImageFolder.scan(TestImages.folder(root, 4));
        for (AugmentPolicy policy : new AugmentPolicy[] {AugmentPolicy.TA_WIDE, AugmentPolicy.RA, AugmentPolicy.AUGMIX,
                AugmentPolicy.IMAGENET}) {
            Augmentation a = new Augmentation(policy, 9, 3, 0.5, EraseValue.RANDOM, 0.2, 1.0, Interpolation.BICUBIC, Resampler.PIL, false, 3);
            TrainTransform t = a.trainTransform(24, RandomResizedCrop.IMAGENET);
            List<List<float[]>> runs = new ArrayList<>();
            for (int workers : new int[] {0, 1, 2}) {
                try (DataLoader loader = new DataLoader(f, t, a.trainSampler(f.size(), 42, 0, 1),
                        new DataLoader.Config(5, workers, false, 42, false))) {
                    runs.add(epochImages(loader, 3, 0));
                    List<float[]> resumed = epochImages(loader, 3, 1);
                    assertThat(resumed).hasSize(2);
                    assertThat(resumed.get(0)).as(policy + ": resumed at batch 1").containsExactly(runs.get(runs.size() - 1).get(1));
                    assertThat(epochImages(loader, 4, 0).get(0)).isNotEqualTo(runs.get(runs.size() - 1).get(0));
                }
            }
            for (int r = 1; r < runs.size(); r++) {
                for (int b = 0; b < runs.get(0).size(); b++) {
                    assertThat(runs.get(r).get(b)).as(policy + " workers run " + r + " batch " + b).containsExactly(runs.get(0).get(b));
                }
            }
        }
        assertThat(EVERYTHING.describe()).isEqualTo("auto-augment ta_wide, random erase 0.5 (random values), mixup 0.2, cutmix 1.0, bicubic (pil)");
    }

    @Test
    void theRepeatedAugmentationSamplerFeedsTheLoaderWithADifferentAugmentationPerCopy(@TempDir Path root) throws IOException {
        ImageFolder f = ImageFolder.scan(TestImages.folder(root, 86)); // 258 images: 256 kept per epoch
        Augmentation a = new Augmentation(AugmentPolicy.NONE, 9, 3, 0, EraseValue.ZERO, 0, 0, Interpolation.BILINEAR, Resampler.PIL, true, 3);
        Sampler s = a.trainSampler(f.size(), 1, 0, 1);
        assertThat(s).isInstanceOf(RASampler.class);
        try (DataLoader loader = new DataLoader(f, a.trainTransform(8, RandomResizedCrop.IMAGENET), s,
                new DataLoader.Config(3, 1, false, 1, false)); DataLoader.Epoch e = loader.epoch(0); Batch b = e.next()) {
            assertThat(loader.batchesPerEpoch()).isEqualTo((256 + 2) / 3);
            int[] idx = s.indices(0);
            assertThat(idx[0]).isEqualTo(idx[1]).isEqualTo(idx[2]);
            float[] x = Tensors.floats(b.images());
            int per = 3 * 8 * 8;
            float[] first = Arrays.copyOfRange(x, 0, per);
            assertThat(Arrays.copyOfRange(x, per, 2 * per)).as("copies are augmented differently").isNotEqualTo(first);
        }
    }
}
