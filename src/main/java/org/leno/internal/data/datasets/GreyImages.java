package org.leno.internal.data.datasets;

import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;

/** Same-size 8-bit grey images held in memory (Fashion-MNIST), given out as RGB as PIL's convert("RGB"). */
public final class GreyImages implements ImageSource {
    private final String name;
    private final byte[] pixels;
    private final int height;
    private final int width;
    private final byte[] labels;
    private final List<String> classes;

    public GreyImages(String name, byte[] pixels, int height, int width, byte[] labels, List<String> classes) {
        if ((long) labels.length * height * width != pixels.length) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels for " + pixels.length + " pixel bytes");
        }
        this.name = name;
        this.pixels = pixels;
        this.height = height;
        this.width = width;
        this.labels = labels;
        this.classes = List.copyOf(classes);
    }

    @Override
    public int size() { return labels.length; }

    @Override
    public int label(int index) { return labels[index] & 0xff; }

    @Override
    public Mat rgb(int index) {
        int plane = height * width;
        try (BytePointer p = new BytePointer(plane)) {
            p.put(pixels, index * plane, plane);
            try (Mat grey = new Mat(height, width, opencv_core.CV_8UC1, p)) {
                Mat rgb = new Mat();
                opencv_imgproc.cvtColor(grey, rgb, opencv_imgproc.COLOR_GRAY2RGB);
                return rgb;
            }
        }
    }

    @Override
    public String describe(int index) { return name + "[" + index + "]"; }

    @Override
    public List<String> classes() { return classes; }

    public int height() { return height; }

    public int width() { return width; }
}
