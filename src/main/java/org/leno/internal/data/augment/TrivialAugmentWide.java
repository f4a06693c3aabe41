package org.leno.internal.data.augment;

import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.Interpolation;

/**
 * torchvision's TrivialAugmentWide: one operation drawn uniformly from its 14-operation space, at a
 * magnitude bin drawn uniformly from {@code bins}, signed operations negated with probability 1/2.
 */
public record TrivialAugmentWide(int bins, Interpolation interpolation) implements ImageAugment {
    public static TrivialAugmentWide of(Interpolation interpolation) {
        return new TrivialAugmentWide(31, interpolation);
    }

    OpCall draw(SplittableRandom rng) {
        OpSpace space = OpSpace.trivialAugmentWide(bins);
        OpSpace.Entry e = space.get(rng.nextInt(space.size()));
        double m = e.magnitudes().length == 0 ? 0.0 : e.magnitudes()[rng.nextInt(e.magnitudes().length)];
        if (e.signed() && rng.nextInt(2) == 1) {
            m = -m;
        }
        return new OpCall(e.op(), m);
    }

    @Override
    public void apply(Mat rgb, SplittableRandom rng) {
        OpCall c = draw(rng);
        ImageOps.apply(c.op(), c.magnitude(), rgb, interpolation);
    }
}
