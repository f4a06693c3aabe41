package org.leno.internal.data.loader;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.opencv_core.Mat;

/** Turns an RGB image into a normalised 3 x S x S float tensor written straight into a batch buffer. */
public interface Transform {
    /** S, the side of the square output. */
    int outputSize();

    /** Writes 3*S*S floats (CHW) at {@code dst}'s current element; {@code rng} drives any augmentation. */
    void apply(Mat rgb, SplittableRandom rng, FloatPointer dst);
}
