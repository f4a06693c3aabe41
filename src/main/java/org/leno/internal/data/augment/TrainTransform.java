package org.leno.internal.data.augment;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.data.loader.Transform;

/**
 * The training transform, in torchvision's ClassificationPresetTrain order: RandomResizedCrop to
 * {@code crop} x {@code crop}, horizontal flip with probability {@code flipProbability}, the
 * automatic augmentation policy on the 8-bit image (if any), [0,1] scaling and ImageNet
 * normalisation, then random erasing on the normalised image (if on). Resizing uses
 * {@code interpolation} through {@code resampler} (Pillow's own resampling by default, as the
 * reference's PIL images get). Without a policy and erasing, the draws (box, flip) are those of the
 * plain reference transform.
 */
public record TrainTransform(int crop, RandomResizedCrop box, double flipProbability, Resampler resampler,
        Interpolation interpolation, ImageAugment augment, RandomErasing erasing) implements Transform {

    public TrainTransform {
        if (crop < 1) {
            throw new IllegalArgumentException("--train_crop_size must be positive, got " + crop);
        }
        if (resampler == null || interpolation == null || erasing == null) {
            throw new IllegalArgumentException("resampler, interpolation and erasing must be given (RandomErasing.OFF for none)");
        }
    }

    /** The reference's transform: PIL's bilinear, no policy, no erasing. */
    public TrainTransform(int crop, RandomResizedCrop box, double flipProbability) {
        this(crop, box, flipProbability, Resampler.PIL, Interpolation.BILINEAR, null, RandomErasing.OFF);
    }

    public static TrainTransform imagenet(int crop) {
        return new TrainTransform(crop, RandomResizedCrop.IMAGENET, 0.5);
    }

    @Override
    public int outputSize() { return crop; }

    @Override
    public void apply(Mat rgb, SplittableRandom rng, FloatPointer dst) {
        RandomResizedCrop.Box b = box.sample(rgb.cols(), rgb.rows(), rng);
        boolean flip = rng.nextDouble() < flipProbability;
        try (Rect r = new Rect(b.x(), b.y(), b.width(), b.height()); Mat view = new Mat(rgb, r);
             Mat resized = resampler.resize(view, crop, crop, interpolation)) {
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
