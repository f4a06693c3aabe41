package org.leno.internal.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.leno.internal.data.datasets.TestImages.folder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.data.augment.TrainTransform;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.data.datasets.ImageFolder;
import org.leno.internal.data.decode.UnreadableImageException;
import org.leno.internal.nn.Tensors;

class DataPipelineTest {

    static List<float[]> epoch(DataLoader loader, int epoch, List<long[]> labels) {
        List<float[]> out = new ArrayList<>();
        try (DataLoader.Epoch e = loader.epoch(epoch)) {
            while (e.hasNext()) {
                try (Batch b = e.next()) {
                    out.add(Tensors.floats(b.images()));
                    labels.add(Tensors.toHost(b.labels()).toDoubles().length == 0 ? new long[0]
                            : Arrays.stream(Tensors.toHost(b.labels()).toDoubles()).mapToLong(d -> (long) d).toArray());
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
            assertThat(b.images().is_contiguous(torch.MemoryFormat.ChannelsLast)).isTrue();
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
        Files.write(train.resolve("C/truncated.jpg"), Arrays.copyOf(jpg, jpg.length / 2));
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
}
