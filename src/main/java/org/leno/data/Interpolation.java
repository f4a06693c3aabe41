package org.leno.data;

import java.util.Locale;
import org.bytedeco.opencv.global.opencv_imgproc;

/**
 * The resampling filter of the training and validation resizes and of the geometric
 * auto-augment operations (torchvision's InterpolationMode for these three).
 */
public enum Interpolation {
    BILINEAR(opencv_imgproc.INTER_LINEAR),
    BICUBIC(opencv_imgproc.INTER_CUBIC),
    /** INTER_NEAREST_EXACT for resizing: PIL's and torchvision's pixel-centre rule (INTER_NEAREST is off by half a pixel). */
    NEAREST(opencv_imgproc.INTER_NEAREST);

    private final int warp;

    Interpolation(int warp) {
        this.warp = warp;
    }

    /** The OpenCV flag for warpAffine (sampling at given coordinates). */
    int warpFlag() {
        return warp;
    }

    /** The OpenCV flag for an enlarging resize. */
    int growFlag() {
        return this == NEAREST ? opencv_imgproc.INTER_NEAREST_EXACT : warp;
    }

    /**
     * The OpenCV flag for a shrinking resize: {@code area} asks for INTER_AREA, the closest OpenCV filter
     * to PIL's antialiased bilinear and bicubic; nearest never averages.
     */
    int shrinkFlag(boolean area) {
        return area && this != NEAREST ? opencv_imgproc.INTER_AREA : growFlag();
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
