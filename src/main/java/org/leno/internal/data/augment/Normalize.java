package org.leno.internal.data.augment;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.MatVector;
import org.leno.internal.data.loader.NativeViews;

/**
 * [0,1] scaling and ImageNet normalisation of an 8-bit RGB image, written by OpenCV's
 * {@code convertTo} straight into the CHW float planes of a batch: {@code x * 1/(255 std) - mean/std},
 * which equals torchvision's {@code (x / 255 - mean) / std} to within float rounding (about 1e-7).
 */
final class Normalize {
    static final float[] MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] STD = {0.229f, 0.224f, 0.225f};

    private Normalize() {
    }

    static void toChw(Mat rgb, boolean flip, FloatPointer dst) {
        int h = rgb.rows();
        int w = rgb.cols();
        try (MatVector planes = new MatVector(3)) {
            if (flip) {
                try (Mat flipped = new Mat()) {
                    opencv_core.flip(rgb, flipped, 1);
                    opencv_core.split(flipped, planes);
                }
            } else {
                opencv_core.split(rgb, planes);
            }
            for (int c = 0; c < 3; c++) {
                try (Mat out = new Mat(h, w, opencv_core.CV_32FC1, NativeViews.floatAt(dst, (long) c * h * w));
                     Mat in = planes.get(c)) {
                    in.convertTo(out, opencv_core.CV_32F, 1.0 / (255.0 * STD[c]), -MEAN[c] / (double) STD[c]);
                }
            }
        }
    }
}
