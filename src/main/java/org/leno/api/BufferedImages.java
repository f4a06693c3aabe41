package org.leno.api;

import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * A {@link BufferedImage} as the 8-bit RGB Mat that decoding a file gives: grey values copied to
 * the three channels (read from the raster, not through Java's colour conversion), colour images
 * in sRGB with any alpha dropped, as PIL's {@code convert("RGB")} does.
 */
final class BufferedImages {
    private BufferedImages() {
    }

    static Mat toRgb(BufferedImage image, long maxPixels) {
        int w = image.getWidth();
        int h = image.getHeight();
        if ((long) w * h > maxPixels) {
            throw new LenoException("a " + w + "x" + h + " image is over the limit of " + maxPixels + " pixels");
        }
        byte[] rgb = new byte[Math.multiplyExact(Math.multiplyExact(w, h), 3)];
        Raster raster = image.getRaster();
        if (raster.getNumBands() == 1) {
            int bits = image.getColorModel().getComponentSize(0);
            int[] samples = raster.getSamples(0, 0, w, h, 0, (int[]) null);
            for (int i = 0; i < samples.length; i++) {
                byte v = (byte) (bits > 8 ? samples[i] >>> (bits - 8) : samples[i] * 255 / ((1 << bits) - 1));
                rgb[3 * i] = v;
                rgb[3 * i + 1] = v;
                rgb[3 * i + 2] = v;
            }
        } else {
            int[] row = new int[w];
            for (int y = 0; y < h; y++) {
                image.getRGB(0, y, w, 1, row, 0, w);
                for (int x = 0; x < w; x++) {
                    int o = 3 * (y * w + x);
                    rgb[o] = (byte) (row[x] >> 16);
                    rgb[o + 1] = (byte) (row[x] >> 8);
                    rgb[o + 2] = (byte) row[x];
                }
            }
        }
        Mat mat = new Mat(h, w, opencv_core.CV_8UC3);
        try (BytePointer data = mat.data()) {
            data.put(rgb);
        }
        return mat;
    }
}
