package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.data.datasets.Datasets;
import org.leno.internal.data.datasets.DummyImages;
import org.leno.internal.data.datasets.FashionMnist;
import org.leno.internal.data.datasets.ImageFolder;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelCard;

/** What a run's checkpoints say about its classes and transform, for each kind of data. */
class RunModelCardTest {
    @Test
    void theEmbeddedSubsetNamesFashionMnistsClassesAndTheTransformItsFlags() {
        TrainConfig cfg = TrainConfigResolver.parse("--val_resize", "32", "--val_crop_size", "28", "--interpolation", "bicubic",
                "--resampler", "opencv", "-a", "resnet", "--dropout", "0.2");
        ModelCard card = RunModelCard.of(cfg, FashionMnist.embedded("val"));
        assertThat(card.classNames()).containsExactly("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                "Sneaker", "Bag", "Ankle boot");
        assertThat(card.model().arch()).isEqualTo(Arch.RESNET);
        assertThat(card.model().dropout()).isEqualTo(0.2);
        assertThat(card.preprocessing()).isEqualTo(new ModelCard.Preprocessing(32, 28, "opencv", "bicubic",
                List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), "replicate"));
    }

    @Test
    void dummyDataNamesClassesByIndexAndAFolderByItsSubFolders(@TempDir Path dir) throws IOException {
        TrainConfig dummy = TrainConfigResolver.parse("--dummy", "--n_classes", "3");
        assertThat(RunModelCard.of(dummy, new DummyImages(4, 8, 3, 0)).classNames()).containsExactly("0", "1", "2");
        for (String c : List.of("zebra", "ant", "Moth")) {
            Files.createDirectories(dir.resolve("val").resolve(c));
            ImageIO.write(new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB), "png", dir.resolve("val").resolve(c).resolve("x.png").toFile());
        }
        TrainConfig folder = TrainConfigResolver.parse("--data", dir.toString(), "--n_classes", "3");
        ImageFolder val = (ImageFolder) Datasets.open(new Datasets.Spec(dir.toString(), false, 8, 3, 0), "val");
        assertThat(RunModelCard.of(folder, val).classNames()).containsExactly("Moth", "ant", "zebra");
        assertThat(RunModelCard.of(folder, val).preprocessing().resize()).isEqualTo(256);
    }
}
