package org.leno.internal.data.augment;

import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An automatic augmentation policy (RandAugment, TrivialAugmentWide, AugMix, AutoAugment): changes
 * a continuous 8-bit RGB image in place, drawing every random choice from {@code rng}.
 */
public interface ImageAugment {
    void apply(Mat rgb, SplittableRandom rng);

    /** One operation a policy chose, with its signed magnitude. */
    record OpCall(AugmentOp op, double magnitude) {}
}
