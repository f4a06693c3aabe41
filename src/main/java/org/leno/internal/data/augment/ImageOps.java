package org.leno.internal.data.augment;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;
import org.leno.internal.data.decode.Interpolation;

/**
 * The auto-augment operations on an 8-bit RGB image (a continuous CV_8UC3 Mat), in place, as
 * torchvision 0.14's {@code _apply_op} computes them on uint8 tensors. Per-value operations are
 * lookup tables; the blends repeat torchvision's float32 arithmetic and truncation, so they are
 * exact; the geometric ones are OpenCV's warpAffine with torchvision's sampling grid and zero
 * fill (OpenCV's fixed-point coordinates differ from grid_sample's float ones in a few pixels).
 */
final class ImageOps {
    private ImageOps() {
    }

    static void apply(AugmentOp op, double magnitude, Mat img, Interpolation interpolation) {
        switch (op) {
            case IDENTITY -> { }
            case SHEAR_X -> shear(img, Math.toDegrees(Math.atan(magnitude)), 0.0, interpolation);
            case SHEAR_Y -> shear(img, 0.0, Math.toDegrees(Math.atan(magnitude)), interpolation);
            case TRANSLATE_X -> affine(img, inverseAffine(0, 0, 0, (int) magnitude, 0, 0, 0), interpolation);
            case TRANSLATE_Y -> affine(img, inverseAffine(0, 0, 0, 0, (int) magnitude, 0, 0), interpolation);
            // F.rotate builds its matrix with -angle (torchvision's note on affine's and rotate's directions)
            case ROTATE -> affine(img, inverseAffine(0, 0, -magnitude, 0, 0, 0, 0), interpolation);
            case BRIGHTNESS -> brightness(img, 1.0 + magnitude);
            case COLOR -> color(img, 1.0 + magnitude);
            case CONTRAST -> contrast(img, 1.0 + magnitude);
            case SHARPNESS -> sharpness(img, 1.0 + magnitude);
            case POSTERIZE -> posterize(img, (int) magnitude);
            case SOLARIZE -> solarize(img, magnitude);
            case AUTO_CONTRAST -> autocontrast(img);
            case EQUALIZE -> equalize(img);
            case INVERT -> invert(img);
        }
    }

    // ---- geometry

    /** Shear about the top-left corner, as torchvision's _apply_op passes center=[0, 0]. */
    private static void shear(Mat img, double shearXDegrees, double shearYDegrees, Interpolation interpolation) {
        double cx = -img.cols() * 0.5;
        double cy = -img.rows() * 0.5;
        affine(img, inverseAffine(cx, cy, 0, 0, 0, shearXDegrees, shearYDegrees), interpolation);
    }

    /**
     * torchvision's _get_inverse_affine_matrix (scale 1): the map from output to input coordinates,
     * both relative to the image centre, with the centre (cx, cy) given relative to it as well.
     */
    static double[] inverseAffine(double cx, double cy, double angle, double tx, double ty, double shearX, double shearY) {
        double rot = Math.toRadians(angle);
        double sx = Math.toRadians(shearX);
        double sy = Math.toRadians(shearY);
        double a = Math.cos(rot - sy) / Math.cos(sy);
        double b = -Math.cos(rot - sy) * Math.tan(sx) / Math.cos(sy) - Math.sin(rot);
        double c = Math.sin(rot - sy) / Math.cos(sy);
        double d = -Math.sin(rot - sy) * Math.tan(sx) / Math.cos(sy) + Math.cos(rot);
        double[] m = {d, -b, 0.0, -c, a, 0.0};
        m[2] += m[0] * (-cx - tx) + m[1] * (-cy - ty);
        m[5] += m[3] * (-cx - tx) + m[4] * (-cy - ty);
        m[2] += cx;
        m[5] += cy;
        return m;
    }

    /**
     * Resamples with torchvision's grid: output pixel (j, i) reads the input at
     * theta * (j + 0.5 - w/2, i + 0.5 - h/2, 1) + (w/2 - 0.5, h/2 - 0.5), with theta in float32 as
     * torchvision holds it; outside the image is 0 (fill None).
     */
    static void affine(Mat img, double[] theta, Interpolation interpolation) {
        int w = img.cols();
        int h = img.rows();
        double[] t = new double[6];
        for (int k = 0; k < 6; k++) {
            t[k] = (float) theta[k];
        }
        double ox = w * 0.5 - 0.5;
        double oy = h * 0.5 - 0.5;
        double[] m = {t[0], t[1], t[2] + ox - t[0] * ox - t[1] * oy, t[3], t[4], t[5] + oy - t[3] * ox - t[4] * oy};
        try (DoublePointer mp = new DoublePointer(m); Mat matrix = new Mat(2, 3, opencv_core.CV_64FC1, mp);
             Mat out = new Mat(); Size size = new Size(w, h); Scalar zero = new Scalar(0.0)) {
            opencv_imgproc.warpAffine(img, out, matrix, size, interpolation.warpFlag() | opencv_imgproc.WARP_INVERSE_MAP,
                    opencv_core.BORDER_CONSTANT, zero);
            out.copyTo(img);
        }
    }

    // ---- per-value lookup tables

    static void posterize(Mat img, int bits) {
        byte mask = (byte) -(1 << (8 - bits)); // torchvision: img & -int(2 ** (8 - bits)), as uint8
        byte[] lut = new byte[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = (byte) (v & mask);
        }
        lut(img, lut);
    }

    static void solarize(Mat img, double threshold) {
        float t = (float) threshold; // uint8 >= python float compares in float32
        byte[] lut = new byte[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = (byte) (v >= t ? 255 - v : v);
        }
        lut(img, lut);
    }

    static void invert(Mat img) {
        byte[] lut = new byte[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = (byte) (255 - v);
        }
        lut(img, lut);
    }

    /** _blend(img, zeros, factor). */
    static void brightness(Mat img, double factor) {
        Blend blend = new Blend(factor);
        float zero = blend.other(0f);
        byte[] lut = new byte[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = blend.value(v, zero);
        }
        lut(img, lut);
    }

    /** _blend(img, mean of the grayscale image as float32, factor). */
    static void contrast(Mat img, double factor) {
        byte[] px = bytes(img);
        long sum = 0;
        for (int p = 0; p < px.length; p += 3) {
            sum += gray(px[p] & 0xff, px[p + 1] & 0xff, px[p + 2] & 0xff);
        }
        // torch: sum in float32 (exact below 2^24, i.e. any image up to 65,793 pixels), then / N
        float mean = (float) sum / (float) (px.length / 3);
        Blend blend = new Blend(factor);
        float other = blend.other(mean);
        byte[] lut = new byte[256];
        for (int v = 0; v < 256; v++) {
            lut[v] = blend.value(v, other);
        }
        lut(img, lut);
    }

    /** Saturation: _blend(img, rgb_to_grayscale(img), factor). */
    static void color(Mat img, double factor) {
        byte[] px = bytes(img);
        Blend blend = new Blend(factor);
        float[] other = blend.otherTable();
        for (int p = 0; p < px.length; p += 3) {
            int r = px[p] & 0xff;
            int g = px[p + 1] & 0xff;
            int b = px[p + 2] & 0xff;
            float l = other[gray(r, g, b)];
            px[p] = blend.value(r, l);
            px[p + 1] = blend.value(g, l);
            px[p + 2] = blend.value(b, l);
        }
        put(img, px);
    }

    /**
     * _blend(img, blurred, factor), where blurred is img with its interior replaced by the rounded
     * 3x3 smoothing [1 1 1; 1 5 1; 1 1 1] / 13. round(s / 13) of an integer s has no ties, so
     * (2s + 13) / 26 in integers equals torchvision's float convolution rounded.
     */
    static void sharpness(Mat img, double factor) {
        int w = img.cols();
        int h = img.rows();
        if (w <= 2 || h <= 2) {
            return;
        }
        byte[] px = bytes(img);
        short[] box = new short[px.length];
        try (Mat sums = new Mat(); Size k = new Size(3, 3); Point anchor = new Point(-1, -1)) {
            opencv_imgproc.boxFilter(img, sums, opencv_core.CV_16U, k, anchor, false, opencv_core.BORDER_REPLICATE);
            ((ShortBuffer) sums.createBuffer()).get(box);
        }
        Blend blend = new Blend(factor);
        float[] other = blend.otherTable();
        byte[] out = new byte[px.length];
        for (int y = 0; y < h; y++) {
            boolean rowInside = y > 0 && y < h - 1;
            for (int x = 0; x < w; x++) {
                boolean inside = rowInside && x > 0 && x < w - 1;
                for (int c = 0, p = (y * w + x) * 3; c < 3; c++, p++) {
                    int v = px[p] & 0xff;
                    int blurred = inside ? (2 * ((box[p] & 0xffff) + 4 * v) + 13) / 26 : v;
                    out[p] = blend.value(v, other[blurred]);
                }
            }
        }
        put(img, out);
    }

    /** Per channel: (x - min) * (255 / (max - min)) in float32, truncated; a constant channel is kept. */
    static void autocontrast(Mat img) {
        int[][] hist = histograms(bytes(img));
        byte[] lut = new byte[3 * 256];
        for (int c = 0; c < 3; c++) {
            int min = 0;
            while (min < 255 && hist[c][min] == 0) {
                min++;
            }
            int max = 255;
            while (max > 0 && hist[c][max] == 0) {
                max--;
            }
            float lo = min;
            float scale = (1f / (float) (max - min)) * 255f; // bound / t is t.reciprocal() * bound in torch
            for (int v = 0; v < 256; v++) {
                float f = max == min ? v : (v - lo) * scale;
                lut[v * 3 + c] = (byte) (int) Math.min(255f, Math.max(0f, f));
            }
        }
        lut3(img, lut);
    }

    /** Per channel, torchvision's _scale_channel: step from the histogram without its last non-zero bin. */
    static void equalize(Mat img) {
        int[][] hist = histograms(bytes(img));
        byte[] lut = new byte[3 * 256];
        for (int c = 0; c < 3; c++) {
            int[] hc = hist[c];
            int last = 255;
            while (last > 0 && hc[last] == 0) {
                last--;
            }
            long total = 0;
            for (int v = 0; v < last; v++) {
                total += hc[v];
            }
            long step = total / 255;
            long cum = 0;
            for (int v = 0; v < 256; v++) {
                long mapped = step == 0 ? v : v == 0 ? 0 : Math.min(255, (cum + step / 2) / step);
                lut[v * 3 + c] = (byte) mapped;
                cum += hc[v];
            }
        }
        lut3(img, lut);
    }

    // ---- helpers

    /** rgb_to_grayscale: (0.2989 r + 0.587 g + 0.114 b) in float32, truncated to uint8. */
    static int gray(int r, int g, int b) {
        return (int) (0.2989f * r + 0.587f * g + 0.114f * b);
    }

    /**
     * torchvision's uint8 _blend: (ratio * img1 + (1 - ratio) * img2).clamp(0, 255).to(uint8), each
     * product in float32 with the ratio cast to float32, truncated.
     */
    private record Blend(float ratio, float rest) {
        Blend(double ratio) {
            this((float) ratio, (float) (1.0 - ratio));
        }

        float other(float img2) {
            return rest * img2;
        }

        float[] otherTable() {
            float[] t = new float[256];
            for (int v = 0; v < 256; v++) {
                t[v] = rest * v;
            }
            return t;
        }

        byte value(int img1, float otherTerm) {
            float v = ratio * img1 + otherTerm;
            return (byte) (int) Math.min(255f, Math.max(0f, v));
        }
    }

    private static int[][] histograms(byte[] px) {
        int[][] hist = new int[3][256];
        for (int p = 0; p < px.length; p += 3) {
            hist[0][px[p] & 0xff]++;
            hist[1][px[p + 1] & 0xff]++;
            hist[2][px[p + 2] & 0xff]++;
        }
        return hist;
    }

    private static void lut(Mat img, byte[] table) {
        try (Mat lut = new Mat(1, 256, opencv_core.CV_8UC1)) {
            ((ByteBuffer) lut.createBuffer()).put(table);
            opencv_core.LUT(img, lut, img);
        }
    }

    /** A per-channel table: entry v of channel c at v * 3 + c. */
    private static void lut3(Mat img, byte[] table) {
        try (Mat lut = new Mat(1, 256, opencv_core.CV_8UC3)) {
            ((ByteBuffer) lut.createBuffer()).put(table);
            opencv_core.LUT(img, lut, img);
        }
    }

    static byte[] bytes(Mat img) {
        requireRgb(img);
        byte[] px = new byte[(int) img.total() * 3];
        ((ByteBuffer) img.createBuffer()).get(px);
        return px;
    }

    static void put(Mat img, byte[] px) {
        ((ByteBuffer) img.createBuffer()).put(px);
    }

    private static void requireRgb(Mat img) {
        if (img.type() != opencv_core.CV_8UC3 || !img.isContinuous()) {
            throw new IllegalArgumentException("augmentation needs a continuous 8-bit 3-channel image, got type "
                    + img.type());
        }
    }
}
