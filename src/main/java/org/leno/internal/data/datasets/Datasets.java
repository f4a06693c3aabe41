package org.leno.internal.data.datasets;

import java.nio.file.Path;
import org.leno.internal.data.decode.ImageDecoder;

/** Where the images come from: a folder, the full Fashion-MNIST, the embedded subset, or synthetic. */
public final class Datasets {
    /** The {@code --data} value naming the full Fashion-MNIST. */
    public static final String FASHION_MNIST = "fashion-mnist";

    private Datasets() {
    }

    /**
     * A description of the source: {@code data} null means the embedded subset; image files are
     * refused when their header claims more than {@code maxImagePixels} pixels.
     */
    public record Spec(String data, boolean dummy, int dummyImageSize, int nClasses, long seed, long maxImagePixels) {
        public Spec(String data, boolean dummy, int dummyImageSize, int nClasses, long seed) {
            this(data, dummy, dummyImageSize, nClasses, seed, ImageDecoder.DEFAULT_MAX_PIXELS);
        }

        public boolean embedded() { return data == null && !dummy; }

        public String describe() {
            if (dummy) {
                return "synthetic images (--dummy)";
            }
            if (data == null) {
                return "embedded Fashion-MNIST subset (600 train + 100 val images per class, 28x28 grey)";
            }
            return data.equals(FASHION_MNIST) ? "Fashion-MNIST (" + FashionMnist.directory() + ")" : data;
        }
    }

    /** The {@code split} ("train" or "val") of the spec's source. */
    public static ImageSource open(Spec spec, String split) {
        if (spec.dummy()) {
            return new DummyImages(split.equals("train") ? 1_281_167 : 50_000, spec.dummyImageSize(), spec.nClasses(),
                    spec.seed() + (split.equals("train") ? 0 : 1));
        }
        if (spec.data() == null) {
            return FashionMnist.embedded(split);
        }
        if (spec.data().equals(FASHION_MNIST)) {
            return FashionMnist.full(split);
        }
        ImageFolder folder = ImageFolder.scan(Path.of(spec.data()).resolve(split), new ImageDecoder(spec.maxImagePixels()));
        if (folder.scanSummary() != null) {
            System.err.println("leno: warning: " + split + ": " + folder.scanSummary());
        }
        return folder;
    }
}
