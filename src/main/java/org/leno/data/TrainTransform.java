package org.leno.data;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * The training transform, in torchvision's ClassificationPresetTrain order: RandomResizedCrop to
 * {@code crop} x {@code crop}, horizontal flip with probability {@code flipProbability}, the
 * automatic augmentation policy on the 8-bit image (if any), [0,1] scaling and ImageNet
 * normalisation, then random erasing on the normalised image (if on). Resizing uses
 * {@code interpolation}; bilinear is INTER_LINEAR by default: about 2x faster than INTER_AREA per
 * image, and its few grey levels of difference from PIL's antialiased filter when shrinking are
 * small against the crop's own randomness; {@code area = true} selects INTER_AREA when shrinking.
 * Without a policy and erasing, the draws (box, flip) are those of the plain reference transform.
 */
public record TrainTransform(int crop, RandomResizedCrop box, double flipProbability, boolean area,
        Interpolation interpolation, ImageAugment augment, RandomErasing erasing) implements Transform {

    public TrainTransform {
        if (crop < 1) {
            throw new IllegalArgumentException("--train_crop_size must be positive, got " + crop);
        }
        if (interpolation == null || erasing == null) {
            throw new IllegalArgumentException("interpolation and erasing must be given (RandomErasing.OFF for none)");
        }
    }

    /** The reference's transform: bilinear, no policy, no erasing. */
    public TrainTransform(int crop, RandomResizedCrop box, double flipProbability, boolean area) {
        this(crop, box, flipProbability, area, Interpolation.BILINEAR, null, RandomErasing.OFF);
    }

    public static TrainTransform imagenet(int crop) {
        return new TrainTransform(crop, RandomResizedCrop.IMAGENET, 0.5, false);
    }

    @Override
    public int outputSize() { return crop; }

    @Override
    public void apply(Mat rgb, SplittableRandom rng, FloatPointer dst) {
        RandomResizedCrop.Box b = box.sample(rgb.cols(), rgb.rows(), rng);
        boolean flip = rng.nextDouble() < flipProbability;
        try (Rect r = new Rect(b.x(), b.y(), b.width(), b.height()); Mat view = new Mat(rgb, r);
             Mat resized = ValTransform.resizeTo(view, crop, crop, interpolation.shrinkFlag(area), interpolation.growFlag())) {
            if (augment == null) {
                Normalize.toChw(resized, flip, dst);
            } else {
                if (flip) {
                    opencv_core.flip(resized, resized, 1);
                }
                augment.apply(resized, rng);
                Normalize.toChw(resized, false, dst);
            }
        }
        erasing.apply(dst, crop, rng);
    }
}
