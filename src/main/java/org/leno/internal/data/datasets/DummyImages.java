package org.leno.internal.data.datasets;

import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/** Synthetic images and labels, as the PyTorch example's {@code --dummy}: random pixels, uniform labels. */
public final class DummyImages implements ImageSource {
    private final int count;
    private final int size;
    private final int nClasses;
    private final long seed;

    public DummyImages(int count, int size, int nClasses, long seed) {
        this.count = count;
        this.size = size;
        this.nClasses = nClasses;
        this.seed = seed;
    }

    @Override
    public int size() { return count; }

    @Override
    public int label(int index) {
        return new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (index + 1))).nextInt(nClasses);
    }

    @Override
    public Mat rgb(int index) {
        byte[] b = new byte[size * size * 3];
        new SplittableRandom(seed * 31 + index).nextBytes(b);
        try (BytePointer p = new BytePointer(b); Mat view = new Mat(size, size, opencv_core.CV_8UC3, p)) {
            return view.clone();
        }
    }

    @Override
    public String describe(int index) { return "dummy[" + index + "]"; }

    @Override
    public List<String> classes() {
        return IntStream.range(0, nClasses).mapToObj(i -> "class" + i).toList();
    }
}
