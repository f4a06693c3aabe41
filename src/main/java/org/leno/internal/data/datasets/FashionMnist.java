package org.leno.internal.data.datasets;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Fashion-MNIST from gzipped IDX files: the embedded stratified subset, or the full set on disk. */
public final class FashionMnist {
    public static final List<String> CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
    public static final Path SYSTEM_DIR = Path.of("/usr/share/datasets/fashion-mnist");

    private FashionMnist() {
    }

    /** The subset shipped in the jar: 600 train and 100 val images per class (scripts/make_embedded_subset.py). */
    public static GreyImages embedded(String split) {
        String base = "embedded/" + split;
        try (InputStream images = FashionMnist.class.getResourceAsStream(base + "-images.gz");
             InputStream labels = FashionMnist.class.getResourceAsStream(base + "-labels.gz")) {
            if (images == null || labels == null) {
                throw new IllegalStateException("embedded dataset split '" + split + "' is missing from the jar");
            }
            return read("embedded fashion-mnist " + split, images, labels);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the embedded dataset: " + e.getMessage(), e);
        }
    }

    /** The full set: train (60,000) or val (the 10,000 test images), from $LENO_DATA/fashion-mnist or the Debian package. */
    public static GreyImages full(String split) {
        Path dir = directory();
        String prefix = split.equals("train") ? "train" : "t10k";
        Path images = dir.resolve(prefix + "-images-idx3-ubyte.gz");
        Path labels = dir.resolve(prefix + "-labels-idx1-ubyte.gz");
        if (!Files.isRegularFile(images) || !Files.isRegularFile(labels)) {
            throw new IllegalArgumentException("--data fashion-mnist: " + images + " not found; install it with"
                    + " 'apt-get install dataset-fashion-mnist' or put the IDX .gz files in $LENO_DATA/fashion-mnist");
        }
        try (InputStream i = Files.newInputStream(images); InputStream l = Files.newInputStream(labels)) {
            return read("fashion-mnist " + split, i, l);
        } catch (IOException e) {
            throw new IllegalArgumentException(images + ": cannot read (" + e.getMessage() + ")");
        }
    }

    static Path directory() {
        String env = System.getenv("LENO_DATA");
        if (env != null && Files.isDirectory(Path.of(env, "fashion-mnist"))) {
            return Path.of(env, "fashion-mnist");
        }
        return SYSTEM_DIR;
    }

    static GreyImages read(String name, InputStream imagesGz, InputStream labelsGz) throws IOException {
        int[] imageShape;
        byte[] pixels;
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(imagesGz, 1 << 16))) {
            imageShape = header(in, 3, name);
            pixels = in.readNBytes(imageShape[0] * imageShape[1] * imageShape[2]);
        }
        byte[] labels;
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(labelsGz, 1 << 16))) {
            int[] shape = header(in, 1, name);
            labels = in.readNBytes(shape[0]);
        }
        if (labels.length != imageShape[0] || pixels.length != imageShape[0] * imageShape[1] * imageShape[2]) {
            throw new IOException(name + ": truncated IDX file");
        }
        return new GreyImages(name, pixels, imageShape[1], imageShape[2], labels, CLASSES);
    }

    private static int[] header(DataInputStream in, int dims, String name) throws IOException {
        int magic = in.readInt();
        if (magic != (0x0800 | dims)) {
            throw new IOException(name + ": not an IDX file of " + dims + " dimension(s) of bytes");
        }
        int[] shape = new int[dims];
        for (int i = 0; i < dims; i++) {
            shape[i] = in.readInt();
        }
        return shape;
    }
}
