package org.leno.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.nn.Tensors;

class DataPipelineTest {

    static void writeImage(Path file, int w, int h, int seed) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] px = new byte[w * h * 3];
        new SplittableRandom(seed).nextBytes(px);
        try (BytePointer p = new BytePointer(px); Mat m = new Mat(h, w, opencv_core.CV_8UC3, p)) {
            assertThat(opencv_imgcodecs.imwrite(file.toString(), m)).isTrue();
        }
    }

    /** ROOT/train with classes b, a, C (sorted: C, a, b) and a few images each. */
    static Path folder(Path root, int perClass) throws IOException {
        int seed = 0;
        for (String c : new String[] {"b", "a", "C"}) {
            for (int i = 0; i < perClass; i++) {
                writeImage(root.resolve("train").resolve(c).resolve("img" + i + (i % 2 == 0 ? ".png" : ".JPG")), 40, 30, seed++);
            }
        }
        Files.writeString(root.resolve("train/a/notes.txt"), "not an image");
        return root.resolve("train");
    }

    @Test
    void classesAreTheSortedFolderNamesAndFilesSortedWithin(@TempDir Path root) throws IOException {
        ImageFolder f = ImageFolder.scan(folder(root, 3));
        assertThat(f.classes()).containsExactly("C", "a", "b");
        assertThat(f.size()).isEqualTo(9);
        assertThat(f.label(0)).isZero();
        assertThat(f.label(8)).isEqualTo(2);
        assertThat(f.describe(3)).isEqualTo("train/a/img0.png");
        assertThat(f.describe(4)).isEqualTo("train/a/img1.JPG");
    }

    @Test
    void missingOrEmptyFoldersAreClearErrors(@TempDir Path root) throws IOException {
        assertThatThrownBy(() -> ImageFolder.scan(root.resolve("train"))).hasMessageEndingWith("train: no such folder");
        Files.createDirectories(root.resolve("val"));
        assertThatThrownBy(() -> ImageFolder.scan(root.resolve("val"))).hasMessageContaining("no class folders");
        Files.createDirectories(root.resolve("val/cat"));
        assertThatThrownBy(() -> ImageFolder.scan(root.resolve("val"))).hasMessageContaining("cat: class folder has no images");
    }

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
                org.assertj.core.data.Offset.offset(0.01));
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
                        assertThat(fa[c * 16 + y * 4 + x]).isCloseTo(want, org.assertj.core.data.Offset.offset(1e-6f));
                    }
                }
            }
        }
    }

    static List<float[]> epoch(DataLoader loader, int epoch, List<long[]> labels) {
        List<float[]> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch)) {
            while (e.hasNext()) {
                try (Batch b = e.next()) {
                    out.add(Tensors.floats(b.images()));
                    labels.add(Tensors.toHost(b.labels()).toDoubles().length == 0 ? new long[0]
                            : java.util.Arrays.stream(Tensors.toHost(b.labels()).toDoubles()).mapToLong(d -> (long) d).toArray());
                }
            }
        }
        return out;
    }

    @Test
    void theSameSeedGivesTheSameBatchesWithOneOrTwoWorkersAndEpochsDiffer(@TempDir Path root) throws IOException {
        ImageFolder f = ImageFolder.scan(folder(root, 4));
        TrainTransform t = TrainTransform.imagenet(16);
        List<List<float[]>> runs = new ArrayList<>();
        List<List<long[]>> labelRuns = new ArrayList<>();
        for (int workers : new int[] {0, 1, 2}) {
            try (DataLoader loader = new DataLoader(f, t, EpochSampler.single(f.size(), true, 42),
                    new DataLoader.Config(5, workers, false, 42, false))) {
                assertThat(loader.batchesPerEpoch()).isEqualTo(3);
                List<long[]> labels = new ArrayList<>();
                runs.add(epoch(loader, 0, labels));
                labelRuns.add(labels);
                if (workers == 2) {
                    List<float[]> next = epoch(loader, 1, new ArrayList<>());
                    assertThat(next.get(0)).isNotEqualTo(runs.get(0).get(0));
                }
            }
        }
        for (int r = 1; r < runs.size(); r++) {
            assertThat(runs.get(r)).hasSameSizeAs(runs.get(0));
            for (int b = 0; b < runs.get(0).size(); b++) {
                assertThat(runs.get(r).get(b)).isEqualTo(runs.get(0).get(b));
                assertThat(labelRuns.get(r).get(b)).isEqualTo(labelRuns.get(0).get(b));
            }
        }
        assertThat(runs.get(0).get(2)).hasSize(2 * 3 * 16 * 16); // 12 images in batches of 5, 5, 2
    }

    @Test
    void imageBuffersAreReusedAcrossEpochsAndChannelsLastKeepsValues(@TempDir Path root) throws IOException {
        ImageFolder f = ImageFolder.scan(folder(root, 4));
        TrainTransform t = TrainTransform.imagenet(8);
        List<float[]> nchw;
        try (DataLoader loader = new DataLoader(f, t, EpochSampler.single(f.size(), true, 1),
                new DataLoader.Config(2, 2, false, 1, false))) {
            nchw = epoch(loader, 0, new ArrayList<>());
            for (int e = 1; e < 5; e++) {
                epoch(loader, e, new ArrayList<>());
            }
            assertThat(loader.allocatedBuffers()).isLessThanOrEqualTo(2 * 2 + 2);
        }
        try (DataLoader loader = new DataLoader(f, t, EpochSampler.single(f.size(), true, 1),
                new DataLoader.Config(2, 2, false, 1, false, true)); DataLoader.Epoch e = loader.epoch(0);
             Batch b = e.next()) {
            assertThat(b.images().is_contiguous(org.bytedeco.pytorch.global.torch.MemoryFormat.ChannelsLast)).isTrue();
            assertThat(Tensors.floats(b.images())).containsExactly(nchw.get(0));
        }
    }

    @Test
    void shardsOfTwoRanksAreDisjointPaddedAndCoverTheSet() {
        for (int n : new int[] {10, 11}) {
            EpochSampler r0 = new EpochSampler(n, true, 3, 0, 2);
            EpochSampler r1 = new EpochSampler(n, true, 3, 1, 2);
            int[] a = r0.indices(5);
            int[] b = r1.indices(5);
            assertThat(a).hasSize((n + 1) / 2);
            assertThat(b).hasSize((n + 1) / 2);
            Set<Integer> all = new HashSet<>();
            int realCount = 0;
            for (int k = 0; k < a.length; k++) {
                if (!r0.isPadding(k)) {
                    assertThat(all.add(a[k])).isTrue();
                    realCount++;
                }
                if (!r1.isPadding(k)) {
                    assertThat(all.add(b[k])).isTrue();
                    realCount++;
                }
            }
            assertThat(realCount).isEqualTo(n);
            assertThat(all).hasSize(n);
            assertThat(r0.indices(6)).isNotEqualTo(a);
        }
    }

    @Test
    void corruptFilesAreSkippedCountedAndNamedOrRefusedWhenStrict(@TempDir Path root) throws IOException {
        Path train = folder(root, 2);
        Files.write(train.resolve("a/zero.jpg"), new byte[0]);
        Files.writeString(train.resolve("b/fake.png"), "text with an image name");
        Path good = train.resolve("C/img0.png");
        byte[] jpg = Files.readAllBytes(train.resolve("C/img1.JPG"));
        Files.write(train.resolve("C/truncated.jpg"), java.util.Arrays.copyOf(jpg, jpg.length / 2));
        assertThat(good).exists();
        ImageFolder f = ImageFolder.scan(train);
        assertThat(f.size()).isEqualTo(9);
        try (DataLoader loader = new DataLoader(f, ValTransform.of(16, 16), EpochSampler.single(f.size(), false, 0),
                new DataLoader.Config(4, 2, false, 0, false))) {
            int images = 0;
            int real = 0;
            try (DataLoader.Epoch e = loader.epoch(0)) {
                while (e.hasNext()) {
                    try (Batch b = e.next()) {
                        images += b.size();
                        real += b.real();
                        assertThat(Tensors.shape(b.images())[0]).isEqualTo(b.size());
                    }
                }
                assertThat(e.skipped()).isEqualTo(3);
                assertThat(e.skippedSummary()).startsWith("skipped 3 unreadable images (first: train/C/truncated.jpg: truncated JPEG");
            }
            assertThat(images).as("batches refilled to their size").isEqualTo(9);
            assertThat(real).as("substitutes are not real samples").isEqualTo(6);
        }
        try (DataLoader strict = new DataLoader(f, ValTransform.of(16, 16), EpochSampler.single(f.size(), false, 0),
                new DataLoader.Config(4, 0, false, 0, true)); DataLoader.Epoch e = strict.epoch(0)) {
            assertThatThrownBy(e::next).isInstanceOf(UnreadableImageException.class).hasMessageContaining("--strict-data");
        }
    }

    @Test
    void theEmbeddedDatasetHasItsCountsAndStratifiedLabels() {
        GreyImages train = FashionMnist.embedded("train");
        GreyImages val = FashionMnist.embedded("val");
        assertThat(train.size()).isEqualTo(6000);
        assertThat(val.size()).isEqualTo(1000);
        int[] counts = new int[10];
        for (int i = 0; i < train.size(); i++) {
            counts[train.label(i)]++;
        }
        assertThat(counts).containsOnly(600);
        assertThat(val.label(0)).isZero();
        assertThat(val.label(9)).isEqualTo(9);
        assertThat(train.classes()).hasSize(10).contains("Ankle boot");
        try (Mat m = train.rgb(0)) {
            assertThat(m.rows()).isEqualTo(28);
            assertThat(m.channels()).isEqualTo(3);
        }
    }

    @Test
    void theFullFashionMnistIsReadOrExplainedWhenAbsent() {
        if (java.nio.file.Files.isDirectory(FashionMnist.SYSTEM_DIR)) {
            GreyImages test = FashionMnist.full("val");
            assertThat(test.size()).isEqualTo(10000);
        }
    }

    @Test
    void dummyImagesHaveTheConfiguredSizeAndLabelRange() {
        DummyImages d = new DummyImages(50, 24, 7, 1);
        try (Mat m = d.rgb(3)) {
            assertThat(m.cols()).isEqualTo(24);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(d.label(i)).isBetween(0, 6);
        }
    }
}
