package org.leno.internal.data.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/** Small random images on disk, for the tests of every package that reads an image folder. */
public final class TestImages {
    private TestImages() {
    }

    public static void writeImage(Path file, int w, int h, int seed) throws IOException {
        Files.createDirectories(file.getParent());
        byte[] px = new byte[w * h * 3];
        new SplittableRandom(seed).nextBytes(px);
        try (BytePointer p = new BytePointer(px); Mat m = new Mat(h, w, opencv_core.CV_8UC3, p)) {
            assertThat(opencv_imgcodecs.imwrite(file.toString(), m)).isTrue();
        }
    }

    /** ROOT/train with classes b, a, C (sorted: C, a, b) and a few images each. */
    public static Path folder(Path root, int perClass) throws IOException {
        int seed = 0;
        for (String c : new String[] {"b", "a", "C"}) {
            for (int i = 0; i < perClass; i++) {
                writeImage(root.resolve("train").resolve(c).resolve("img" + i + (i % 2 == 0 ? ".png" : ".JPG")), 40, 30, seed++);
            }
        }
        Files.writeString(root.resolve("train/a/notes.txt"), "not an image");
        return root.resolve("train");
    }
}
