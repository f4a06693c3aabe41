package org.leno.internal.data.augment;

import static org.leno.internal.data.augment.AugmentOp.AUTO_CONTRAST;
import static org.leno.internal.data.augment.AugmentOp.BRIGHTNESS;
import static org.leno.internal.data.augment.AugmentOp.COLOR;
import static org.leno.internal.data.augment.AugmentOp.CONTRAST;
import static org.leno.internal.data.augment.AugmentOp.EQUALIZE;
import static org.leno.internal.data.augment.AugmentOp.INVERT;
import static org.leno.internal.data.augment.AugmentOp.POSTERIZE;
import static org.leno.internal.data.augment.AugmentOp.ROTATE;
import static org.leno.internal.data.augment.AugmentOp.SHARPNESS;
import static org.leno.internal.data.augment.AugmentOp.SHEAR_X;
import static org.leno.internal.data.augment.AugmentOp.SHEAR_Y;
import static org.leno.internal.data.augment.AugmentOp.SOLARIZE;
import static org.leno.internal.data.augment.AugmentOp.TRANSLATE_X;
import static org.leno.internal.data.augment.AugmentOp.TRANSLATE_Y;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.Interpolation;

/**
 * torchvision's AutoAugment: one of the 25 sub-policies of the learned policy drawn uniformly;
 * each of its two steps applied with its probability at its magnitude bin of 10, a signed
 * operation negated with probability 1/2.
 */
public record AutoAugment(Policy policy, Interpolation interpolation) implements ImageAugment {

    /** torchvision's AutoAugmentPolicy. */
    public enum Policy { IMAGENET, CIFAR10, SVHN }

    /** {@code bin} is -1 for the operations without a magnitude. */
    record Step(AugmentOp op, double probability, int bin) {}

    record Pair(Step first, Step second) {}

    List<OpCall> draw(SplittableRandom rng, int height, int width) {
        List<Pair> pairs = pairs(policy);
        Pair pair = pairs.get(rng.nextInt(pairs.size()));
        double[] probs = {rng.nextDouble(), rng.nextDouble()};
        int[] signs = {rng.nextInt(2), rng.nextInt(2)};
        OpSpace space = OpSpace.autoAugment(10, height, width);
        List<OpCall> calls = new ArrayList<>(2);
        Step[] steps = {pair.first(), pair.second()};
        for (int i = 0; i < 2; i++) {
            Step s = steps[i];
            if (probs[i] <= s.probability()) {
                OpSpace.Entry e = space.of(s.op());
                double m = s.bin() < 0 ? 0.0 : e.magnitudes()[s.bin()];
                if (e.signed() && signs[i] == 0) {
                    m = -m;
                }
                calls.add(new OpCall(s.op(), m));
            }
        }
        return calls;
    }

    @Override
    public void apply(Mat rgb, SplittableRandom rng) {
        for (OpCall c : draw(rng, rgb.rows(), rgb.cols())) {
            ImageOps.apply(c.op(), c.magnitude(), rgb, interpolation);
        }
    }

    static List<Pair> pairs(Policy policy) {
        return switch (policy) {
            case IMAGENET -> IMAGENET;
            case CIFAR10 -> CIFAR10;
            case SVHN -> SVHN;
        };
    }

    private static Step step(AugmentOp op, double probability, int bin) {
        return new Step(op, probability, bin);
    }

    private static Pair pair(Step first, Step second) {
        return new Pair(first, second);
    }

    // the learned policies, as torchvision 0.14's AutoAugment._get_policies lists them
    private static final List<Pair> IMAGENET = List.of(
            pair(step(POSTERIZE, 0.4, 8), step(ROTATE, 0.6, 9)),
            pair(step(SOLARIZE, 0.6, 5), step(AUTO_CONTRAST, 0.6, -1)),
            pair(step(EQUALIZE, 0.8, -1), step(EQUALIZE, 0.6, -1)),
            pair(step(POSTERIZE, 0.6, 7), step(POSTERIZE, 0.6, 6)),
            pair(step(EQUALIZE, 0.4, -1), step(SOLARIZE, 0.2, 4)),
            pair(step(EQUALIZE, 0.4, -1), step(ROTATE, 0.8, 8)),
            pair(step(SOLARIZE, 0.6, 3), step(EQUALIZE, 0.6, -1)),
            pair(step(POSTERIZE, 0.8, 5), step(EQUALIZE, 1.0, -1)),
            pair(step(ROTATE, 0.2, 3), step(SOLARIZE, 0.6, 8)),
            pair(step(EQUALIZE, 0.6, -1), step(POSTERIZE, 0.4, 6)),
            pair(step(ROTATE, 0.8, 8), step(COLOR, 0.4, 0)),
            pair(step(ROTATE, 0.4, 9), step(EQUALIZE, 0.6, -1)),
            pair(step(EQUALIZE, 0.0, -1), step(EQUALIZE, 0.8, -1)),
            pair(step(INVERT, 0.6, -1), step(EQUALIZE, 1.0, -1)),
            pair(step(COLOR, 0.6, 4), step(CONTRAST, 1.0, 8)),
            pair(step(ROTATE, 0.8, 8), step(COLOR, 1.0, 2)),
            pair(step(COLOR, 0.8, 8), step(SOLARIZE, 0.8, 7)),
            pair(step(SHARPNESS, 0.4, 7), step(INVERT, 0.6, -1)),
            pair(step(SHEAR_X, 0.6, 5), step(EQUALIZE, 1.0, -1)),
            pair(step(COLOR, 0.4, 0), step(EQUALIZE, 0.6, -1)),
            pair(step(EQUALIZE, 0.4, -1), step(SOLARIZE, 0.2, 4)),
            pair(step(SOLARIZE, 0.6, 5), step(AUTO_CONTRAST, 0.6, -1)),
            pair(step(INVERT, 0.6, -1), step(EQUALIZE, 1.0, -1)),
            pair(step(COLOR, 0.6, 4), step(CONTRAST, 1.0, 8)),
            pair(step(EQUALIZE, 0.8, -1), step(EQUALIZE, 0.6, -1)));
    private static final List<Pair> CIFAR10 = List.of(
            pair(step(INVERT, 0.1, -1), step(CONTRAST, 0.2, 6)),
            pair(step(ROTATE, 0.7, 2), step(TRANSLATE_X, 0.3, 9)),
            pair(step(SHARPNESS, 0.8, 1), step(SHARPNESS, 0.9, 3)),
            pair(step(SHEAR_Y, 0.5, 8), step(TRANSLATE_Y, 0.7, 9)),
            pair(step(AUTO_CONTRAST, 0.5, -1), step(EQUALIZE, 0.9, -1)),
            pair(step(SHEAR_Y, 0.2, 7), step(POSTERIZE, 0.3, 7)),
            pair(step(COLOR, 0.4, 3), step(BRIGHTNESS, 0.6, 7)),
            pair(step(SHARPNESS, 0.3, 9), step(BRIGHTNESS, 0.7, 9)),
            pair(step(EQUALIZE, 0.6, -1), step(EQUALIZE, 0.5, -1)),
            pair(step(CONTRAST, 0.6, 7), step(SHARPNESS, 0.6, 5)),
            pair(step(COLOR, 0.7, 7), step(TRANSLATE_X, 0.5, 8)),
            pair(step(EQUALIZE, 0.3, -1), step(AUTO_CONTRAST, 0.4, -1)),
            pair(step(TRANSLATE_Y, 0.4, 3), step(SHARPNESS, 0.2, 6)),
            pair(step(BRIGHTNESS, 0.9, 6), step(COLOR, 0.2, 8)),
            pair(step(SOLARIZE, 0.5, 2), step(INVERT, 0.0, -1)),
            pair(step(EQUALIZE, 0.2, -1), step(AUTO_CONTRAST, 0.6, -1)),
            pair(step(EQUALIZE, 0.2, -1), step(EQUALIZE, 0.6, -1)),
            pair(step(COLOR, 0.9, 9), step(EQUALIZE, 0.6, -1)),
            pair(step(AUTO_CONTRAST, 0.8, -1), step(SOLARIZE, 0.2, 8)),
            pair(step(BRIGHTNESS, 0.1, 3), step(COLOR, 0.7, 0)),
            pair(step(SOLARIZE, 0.4, 5), step(AUTO_CONTRAST, 0.9, -1)),
            pair(step(TRANSLATE_Y, 0.9, 9), step(TRANSLATE_Y, 0.7, 9)),
            pair(step(AUTO_CONTRAST, 0.9, -1), step(SOLARIZE, 0.8, 3)),
            pair(step(EQUALIZE, 0.8, -1), step(INVERT, 0.1, -1)),
            pair(step(TRANSLATE_Y, 0.7, 9), step(AUTO_CONTRAST, 0.9, -1)));
    private static final List<Pair> SVHN = List.of(
            pair(step(SHEAR_X, 0.9, 4), step(INVERT, 0.2, -1)),
            pair(step(SHEAR_Y, 0.9, 8), step(INVERT, 0.7, -1)),
            pair(step(EQUALIZE, 0.6, -1), step(SOLARIZE, 0.6, 6)),
            pair(step(INVERT, 0.9, -1), step(EQUALIZE, 0.6, -1)),
            pair(step(EQUALIZE, 0.6, -1), step(ROTATE, 0.9, 3)),
            pair(step(SHEAR_X, 0.9, 4), step(AUTO_CONTRAST, 0.8, -1)),
            pair(step(SHEAR_Y, 0.9, 8), step(INVERT, 0.4, -1)),
            pair(step(SHEAR_Y, 0.9, 5), step(SOLARIZE, 0.2, 6)),
            pair(step(INVERT, 0.9, -1), step(AUTO_CONTRAST, 0.8, -1)),
            pair(step(EQUALIZE, 0.6, -1), step(ROTATE, 0.9, 3)),
            pair(step(SHEAR_X, 0.9, 4), step(SOLARIZE, 0.3, 3)),
            pair(step(SHEAR_Y, 0.8, 8), step(INVERT, 0.7, -1)),
            pair(step(EQUALIZE, 0.9, -1), step(TRANSLATE_Y, 0.6, 6)),
            pair(step(INVERT, 0.9, -1), step(EQUALIZE, 0.6, -1)),
            pair(step(CONTRAST, 0.3, 3), step(ROTATE, 0.8, 4)),
            pair(step(INVERT, 0.8, -1), step(TRANSLATE_Y, 0.0, 2)),
            pair(step(SHEAR_Y, 0.7, 6), step(SOLARIZE, 0.4, 8)),
            pair(step(INVERT, 0.6, -1), step(ROTATE, 0.8, 4)),
            pair(step(SHEAR_Y, 0.3, 7), step(TRANSLATE_X, 0.9, 3)),
            pair(step(SHEAR_X, 0.1, 6), step(INVERT, 0.6, -1)),
            pair(step(SOLARIZE, 0.7, 2), step(TRANSLATE_Y, 0.6, 7)),
            pair(step(SHEAR_Y, 0.8, 4), step(INVERT, 0.8, -1)),
            pair(step(SHEAR_X, 0.7, 9), step(TRANSLATE_Y, 0.8, 3)),
            pair(step(SHEAR_Y, 0.8, 5), step(AUTO_CONTRAST, 0.7, -1)),
            pair(step(SHEAR_X, 0.7, 2), step(INVERT, 0.1, -1)));
}
