package org.leno.internal.data.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.leno.internal.data.datasets.TestImages.folder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

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
        if (Files.isDirectory(FashionMnist.SYSTEM_DIR)) {
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
