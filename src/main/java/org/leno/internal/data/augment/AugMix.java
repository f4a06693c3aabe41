package org.leno.internal.data.augment;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.Interpolation;

/**
 * torchvision's AugMix: {@code mixtureWidth} chains of {@code chainDepth} operations (1 to 3, drawn
 * uniformly, when negative), each at a magnitude bin drawn from the first {@code severity} of 10;
 * the chains mixed with Dirichlet(alpha) weights, and the mixture with the original by a
 * Beta(alpha, alpha) weight, in float32, truncated to 8 bits as torchvision's {@code .to(uint8)}.
 */
public record AugMix(int severity, int mixtureWidth, int chainDepth, double alpha, boolean allOps,
        Interpolation interpolation) implements ImageAugment {
    static final int PARAMETER_MAX = 10;

    public AugMix {
        if (severity < 1 || severity > PARAMETER_MAX) {
            throw new IllegalArgumentException("--augmix-severity must be in 1.." + PARAMETER_MAX + ", got " + severity);
        }
        if (mixtureWidth < 1 || !(alpha > 0)) {
            throw new IllegalArgumentException("AugMix needs mixture width >= 1 and alpha > 0");
        }
    }

    /** torchvision's defaults: width 3, depth 1-3, alpha 1, all operations. */
    public static AugMix of(int severity, Interpolation interpolation) {
        return new AugMix(severity, 3, -1, 1.0, true, interpolation);
    }

    /** The draws of one image: the original's weight, each chain's weight and operations. */
    record Plan(float originalWeight, float[] chainWeights, List<List<OpCall>> chains) {}

    Plan draw(SplittableRandom rng, int height, int width) {
        double[] m = Distributions.dirichlet(new double[] {alpha, alpha}, rng);
        double[] alphas = new double[mixtureWidth];
        Arrays.fill(alphas, alpha);
        double[] d = Distributions.dirichlet(alphas, rng);
        float m1 = (float) m[1];
        float[] weights = new float[mixtureWidth];
        for (int i = 0; i < mixtureWidth; i++) {
            weights[i] = (float) d[i] * m1;
        }
        OpSpace space = OpSpace.augMix(PARAMETER_MAX, height, width, allOps);
        List<List<OpCall>> chains = new ArrayList<>(mixtureWidth);
        for (int i = 0; i < mixtureWidth; i++) {
            int depth = chainDepth > 0 ? chainDepth : 1 + rng.nextInt(3);
            List<OpCall> chain = new ArrayList<>(depth);
            for (int k = 0; k < depth; k++) {
                OpSpace.Entry e = space.get(rng.nextInt(space.size()));
                double mag = e.magnitudes().length == 0 ? 0.0 : e.magnitudes()[rng.nextInt(severity)];
                if (e.signed() && rng.nextInt(2) == 1) {
                    mag = -mag;
                }
                chain.add(new OpCall(e.op(), mag));
            }
            chains.add(chain);
        }
        return new Plan((float) m[0], weights, chains);
    }

    @Override
    public void apply(Mat rgb, SplittableRandom rng) {
        Plan plan = draw(rng, rgb.rows(), rgb.cols());
        byte[] original = ImageOps.bytes(rgb);
        float[] mix = new float[original.length];
        for (int p = 0; p < mix.length; p++) {
            mix[p] = plan.originalWeight() * (original[p] & 0xff);
        }
        for (int i = 0; i < mixtureWidth; i++) {
            byte[] aug;
            try (Mat chain = rgb.clone()) {
                for (OpCall c : plan.chains().get(i)) {
                    ImageOps.apply(c.op(), c.magnitude(), chain, interpolation);
                }
                aug = ImageOps.bytes(chain);
            }
            float w = plan.chainWeights()[i];
            for (int p = 0; p < mix.length; p++) {
                mix[p] += w * (aug[p] & 0xff);
            }
        }
        byte[] out = new byte[original.length];
        for (int p = 0; p < out.length; p++) {
            out[p] = (byte) (int) Math.min(255f, Math.max(0f, mix[p]));
        }
        ImageOps.put(rgb, out);
    }
}
