package org.leno.internal.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.data.augment.TrainTransform;
import org.leno.internal.data.datasets.ImageFolder;
import org.leno.internal.data.datasets.TestImages;
import org.leno.internal.data.decode.UnreadableImageException;
import org.leno.internal.nn.Tensors;

/** Issue 11, item 4: unreadable files are skipped, counted and replaced; a run stops only when nothing is readable. */
class UnreadableSamplesTest {
    private record Seen(List<long[]> labels, List<float[]> images, int skipped, String summary) {}

    /** Class "good" with 7 images, class "text" with 6 text files named .jpg. */
    private static Path folder(Path root) throws IOException {
        Path train = root.resolve("train");
        for (int i = 0; i < 7; i++) {
            TestImages.writeImage(train.resolve("good/img" + i + ".png"), 24, 20, i);
        }
        for (int i = 0; i < 6; i++) {
            Path f = train.resolve("text/note" + i + ".jpg");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "this is text, not a JPEG " + i);
        }
        return train;
    }

    private static Seen run(ImageFolder f, int workers, int epoch, int startBatch) {
        List<long[]> labels = new ArrayList<>();
        List<float[]> images = new ArrayList<>();
        try (DataLoader loader = new DataLoader(f, TrainTransform.imagenet(8), EpochSampler.single(f.size(), true, 5),
                new DataLoader.Config(4, workers, false, 5, false)); DataLoader.Epoch e = loader.epoch(epoch, startBatch)) {
            while (e.hasNext()) {
                try (Batch b = e.next()) {
                    labels.add(Tensors.toHost(b.labels()).toDoubles().length == 0 ? new long[0]
                            : Arrays.stream(Tensors.toHost(b.labels()).toDoubles()).mapToLong(d -> (long) d).toArray());
                    images.add(Tensors.floats(b.images()));
                }
            }
            return new Seen(labels, images, e.skipped(), e.skippedSummary());
        }
    }

    @Test
    void aClassOfTextFilesNamedJpgGivesFullBatchesOfReadableImagesOnly(@TempDir Path root) throws IOException {
        ImageFolder f = ImageFolder.scan(folder(root));
        assertThat(f.classes()).containsExactly("good", "text");
        for (int epoch = 0; epoch < 3; epoch++) {
            Seen one = run(f, 1, epoch, 0);
            assertThat(one.labels()).extracting(l -> l.length).containsExactly(4, 4, 4, 1);
            assertThat(one.labels()).allSatisfy(l -> assertThat(l).containsOnly(0L));
            assertThat(one.images()).allSatisfy(x -> assertThat(x).doesNotContain(Float.NaN));
            assertThat(one.skipped()).isEqualTo(6);
            assertThat(one.summary()).startsWith("skipped 6 unreadable images (first: train/text/note");

            Seen two = run(f, 2, epoch, 0);
            assertThat(two.labels()).usingRecursiveComparison().isEqualTo(one.labels());
            assertThat(two.images()).usingRecursiveComparison().isEqualTo(one.images());
            assertThat(two.summary()).isEqualTo(one.summary());

            Seen resumed = run(f, 2, epoch, 2);
            assertThat(resumed.images()).usingRecursiveComparison().isEqualTo(one.images().subList(2, 4));
        }
    }

    @Test
    void aDataSetWithNothingReadableStopsWithOneLine(@TempDir Path root) throws IOException {
        Path train = root.resolve("train");
        for (int i = 0; i < 5; i++) {
            Path file = train.resolve("text/note" + i + ".jpg");
            Files.createDirectories(file.getParent());
            Files.writeString(file, "text " + i);
        }
        ImageFolder f = ImageFolder.scan(train);
        try (DataLoader loader = new DataLoader(f, TrainTransform.imagenet(8), EpochSampler.single(f.size(), true, 5),
                new DataLoader.Config(4, 2, false, 5, false)); DataLoader.Epoch e = loader.epoch(0)) {
            assertThatThrownBy(e::next).isInstanceOf(UnreadableImageException.class)
                    .hasMessageStartingWith("none of the 5 images of this data set is readable (first: train/text/note")
                    .satisfies(x -> assertThat(x.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void aSymlinkLoopInTheDataFolderIsSkippedAndReported(@TempDir Path root) throws IOException {
        Path train = folder(root);
        Files.createSymbolicLink(train.resolve("good/loop"), train.resolve("good"));
        Files.createSymbolicLink(train.resolve("good/dangling.jpg"), train.resolve("nowhere.jpg"));
        ImageFolder f = ImageFolder.scan(train);
        assertThat(f.size()).isEqualTo(13);
        assertThat(f.scanSummary()).isEqualTo("skipped 1 unreadable folder entry while scanning (first: train/good/loop: a symlink loop)");
    }
}
