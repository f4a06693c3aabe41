package org.leno.internal.data.decode;

import java.util.Locale;
import org.bytedeco.opencv.global.opencv_imgproc;

/**
 * The resampling filter of the training and validation resizes and of the geometric
 * auto-augment operations (torchvision's InterpolationMode for these three).
 */
public enum Interpolation {
    BILINEAR(opencv_imgproc.INTER_LINEAR),
    BICUBIC(opencv_imgproc.INTER_CUBIC),
    /** Resizes use INTER_NEAREST_EXACT (PIL's pixel-centre rule; INTER_NEAREST is off by half a pixel). */
    NEAREST(opencv_imgproc.INTER_NEAREST);

    private final int warp;

    Interpolation(int warp) {
        this.warp = warp;
    }

    /** The OpenCV flag for warpAffine (sampling at given coordinates). */
    public int warpFlag() {
        return warp;
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
