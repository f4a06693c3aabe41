package org.leno.internal.data.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.Interpolation;

/**
 * torchvision's RandAugment: {@code numOps} operations drawn uniformly from its 14-operation space,
 * each at magnitude bin {@code magnitude} of {@code bins}, signed operations negated with probability 1/2.
 */
public record RandAugment(int numOps, int magnitude, int bins, Interpolation interpolation) implements ImageAugment {
    public RandAugment {
        if (magnitude < 0 || magnitude >= bins) {
            throw new IllegalArgumentException("--ra-magnitude must be in 0.." + (bins - 1) + ", got " + magnitude);
        }
    }

    /** torchvision's defaults: 2 operations, 31 bins. */
    public static RandAugment of(int magnitude, Interpolation interpolation) {
        return new RandAugment(2, magnitude, 31, interpolation);
    }

    List<OpCall> draw(SplittableRandom rng, int height, int width) {
        OpSpace space = OpSpace.randAugment(bins, height, width);
        List<OpCall> calls = new ArrayList<>(numOps);
        for (int i = 0; i < numOps; i++) {
            OpSpace.Entry e = space.get(rng.nextInt(space.size()));
            double m = e.magnitude(magnitude);
            if (e.signed() && rng.nextInt(2) == 1) {
                m = -m;
            }
            calls.add(new OpCall(e.op(), m));
        }
        return calls;
    }

    @Override
    public void apply(Mat rgb, SplittableRandom rng) {
        for (OpCall c : draw(rng, rgb.rows(), rgb.cols())) {
            ImageOps.apply(c.op(), c.magnitude(), rgb, interpolation);
        }
    }
}
