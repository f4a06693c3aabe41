package org.leno.data;

import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/** {@code count} samples spread evenly over a source (every class of a sorted folder keeps its share). */
public final class Subset implements ImageSource {
    private final ImageSource source;
    private final int count;

    public Subset(ImageSource source, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a subset needs at least 1 sample, got " + count);
        }
        this.source = source;
        this.count = Math.min(count, source.size());
    }

    private int map(int index) {
        return (int) ((long) index * source.size() / count);
    }

    @Override
    public int size() { return count; }

    @Override
    public int label(int index) { return source.label(map(index)); }

    @Override
    public Mat rgb(int index) { return source.rgb(map(index)); }

    @Override
    public String describe(int index) { return source.describe(map(index)); }

    @Override
    public List<String> classes() { return source.classes(); }
}
