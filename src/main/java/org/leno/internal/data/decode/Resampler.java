package org.leno.internal.data.decode;

import java.util.Locale;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * How the training and validation resizes are computed. {@link #PIL} is Pillow's resampling, byte for
 * byte what torchvision does to the reference's PIL images (antialiased when shrinking); {@link #OPENCV}
 * is OpenCV's closest filters (INTER_AREA when shrinking, INTER_LINEAR or INTER_CUBIC when enlarging),
 * several times faster but not equal: without Pillow's widened filter, shrunk crops keep more fine
 * detail (TransformDistributionTest measures the difference). Nearest is exact either way.
 */
public enum Resampler {
    PIL,
    OPENCV;

    /** {@code src} resized to w x h as a new Mat (a copy when the size is unchanged). */
    public Mat resize(Mat src, int w, int h, Interpolation interpolation) {
        if (src.cols() == w && src.rows() == h) {
            return src.clone();
        }
        if (interpolation == Interpolation.NEAREST) {
            return opencv(src, w, h, opencv_imgproc.INTER_NEAREST_EXACT);
        }
        if (this == PIL) {
            return PilResize.resize(src, w, h, interpolation == Interpolation.BICUBIC
                    ? PilResize.Filter.BICUBIC : PilResize.Filter.BILINEAR);
        }
        boolean shrinks = w <= src.cols() && h <= src.rows();
        return opencv(src, w, h, shrinks ? opencv_imgproc.INTER_AREA : interpolation.warpFlag());
    }

    private static Mat opencv(Mat src, int w, int h, int flag) {
        Mat dst = new Mat();
        try (Size size = new Size(w, h)) {
            opencv_imgproc.resize(src, dst, size, 0, 0, flag);
        }
        return dst;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
