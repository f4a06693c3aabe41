package org.leno.internal.data.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.testing.Fixtures;

/**
 * The policies choose operations and magnitudes with torchvision's probabilities: our draws
 * against torchvision 0.14's (draws.json: 20,000 images per policy, its _apply_op replaced by a
 * recorder, on a 32x48 image), compared by a chi-square test of homogeneity.
 */
class AugmentPolicyTest {
    private static final JsonNode DRAWS = Fixtures.json("augment/draws.json");
    private static final int H = DRAWS.get("height").asInt();
    private static final int W = DRAWS.get("width").asInt();
    private static final int N = 20000;

    /** An operation call as a category: operation, sign and magnitude bin of the policy's space. */
    private static String key(OpSpace space, AugmentOp op, double magnitude) {
        OpSpace.Entry e = space.of(op);
        if (e.magnitudes().length == 0) {
            return op.torchName();
        }
        int best = 0;
        for (int i = 1; i < e.magnitudes().length; i++) {
            if (Math.abs(Math.abs(magnitude) - e.magnitudes()[i]) < Math.abs(Math.abs(magnitude) - e.magnitudes()[best])) {
                best = i;
            }
        }
        assertThat(Math.abs(Math.abs(magnitude) - e.magnitudes()[best])).as(op + " " + magnitude).isLessThan(1e-3);
        return op.torchName() + (Math.copySign(1.0, magnitude) < 0 ? "-" : "+") + best;
    }

    /** torchvision's "Op:magnitude" text as a category. */
    private static String key(OpSpace space, String call) {
        int colon = call.indexOf(':');
        return key(space, AugmentOp.ofTorchName(call.substring(0, colon)), Double.parseDouble(call.substring(colon + 1)));
    }

    private static Map<String, Integer> torchCounts(String policy, String field, Function<String, String> keyOf) {
        Map<String, Integer> out = new HashMap<>();
        JsonNode p = DRAWS.get("policies").get(policy);
        assertThat(p.get("images").asInt()).isEqualTo(N);
        p.get(field).fields().forEachRemaining(e -> out.merge(keyOf.apply(e.getKey()), e.getValue().asInt(), Integer::sum));
        return out;
    }

    private static String joined(OpSpace space, List<ImageAugment.OpCall> calls) {
        List<String> keys = new ArrayList<>();
        for (ImageAugment.OpCall c : calls) {
            keys.add(key(space, c.op(), c.magnitude()));
        }
        return String.join("|", keys);
    }

    private static String joinedTorch(OpSpace space, String image) {
        if (image.isEmpty()) {
            return "";
        }
        List<String> keys = new ArrayList<>();
        for (String call : image.split("\\|")) {
            keys.add(key(space, call));
        }
        return String.join("|", keys);
    }

    /**
     * Chi-square test of homogeneity of two samples of counts; categories expected fewer than 5
     * times in either sample are pooled. Fails when the Wilson-Hilferty normal deviate exceeds
     * 4.75 (p < 1e-6): the draws are seeded, so this is a fixed check, not a flaky one.
     */
    static void assertSameDistribution(String what, Map<String, Integer> ours, Map<String, Integer> theirs) {
        Set<String> keys = new HashSet<>(ours.keySet());
        keys.addAll(theirs.keySet());
        long n1 = ours.values().stream().mapToLong(Integer::longValue).sum();
        long n2 = theirs.values().stream().mapToLong(Integer::longValue).sum();
        double chi = 0;
        int df = -1;
        long pooled1 = 0;
        long pooled2 = 0;
        for (String k : keys) {
            long a = ours.getOrDefault(k, 0);
            long b = theirs.getOrDefault(k, 0);
            double total = a + b;
            double e1 = total * n1 / (n1 + n2);
            double e2 = total * n2 / (n1 + n2);
            if (e1 < 5 || e2 < 5) {
                pooled1 += a;
                pooled2 += b;
                continue;
            }
            chi += (a - e1) * (a - e1) / e1 + (b - e2) * (b - e2) / e2;
            df++;
        }
        if (pooled1 + pooled2 > 0) {
            double total = pooled1 + pooled2;
            double e1 = total * n1 / (n1 + n2);
            double e2 = total * n2 / (n1 + n2);
            chi += (pooled1 - e1) * (pooled1 - e1) / e1 + (pooled2 - e2) * (pooled2 - e2) / e2;
            df++;
        }
        assertThat(df).as(what + ": categories").isGreaterThan(0);
        double z = (Math.cbrt(chi / df) - (1 - 2.0 / (9 * df))) / Math.sqrt(2.0 / (9 * df));
        System.out.printf("%-28s chi2 %.1f on %d df (z %.2f)%n", what, chi, df, z);
        assertThat(z).as(what + ": chi2 " + chi + " on " + df + " df").isLessThan(4.75);
    }

    private static void checkPerCallAndPerImage(String policy, OpSpace space,
            Function<SplittableRandom, List<ImageAugment.OpCall>> draw) {
        Map<String, Integer> calls = new HashMap<>();
        Map<String, Integer> images = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(policy.hashCode());
        for (int i = 0; i < N; i++) {
            List<ImageAugment.OpCall> c = draw.apply(rng);
            c.forEach(call -> calls.merge(key(space, call.op(), call.magnitude()), 1, Integer::sum));
            images.merge(joined(space, c), 1, Integer::sum);
        }
        assertSameDistribution(policy + " per call", calls, torchCounts(policy, "calls", s -> key(space, s)));
        assertSameDistribution(policy + " per image", images, torchCounts(policy, "per_image", s -> joinedTorch(space, s)));
    }

    @Test
    void randAugmentDrawsAsTorchvision() {
        for (int magnitude : new int[] {9, 15}) {
            RandAugment ra = RandAugment.of(magnitude, Interpolation.NEAREST);
            checkPerCallAndPerImage(magnitude == 9 ? "ra" : "ra_m15", OpSpace.randAugment(31, H, W), r -> ra.draw(r, H, W));
        }
    }

    @Test
    void trivialAugmentWideDrawsAsTorchvision() {
        TrivialAugmentWide ta = TrivialAugmentWide.of(Interpolation.NEAREST);
        checkPerCallAndPerImage("ta_wide", OpSpace.trivialAugmentWide(31), r -> List.of(ta.draw(r)));
    }

    @Test
    void autoAugmentPoliciesDrawAsTorchvision() {
        for (AutoAugment.Policy p : AutoAugment.Policy.values()) {
            AutoAugment aa = new AutoAugment(p, Interpolation.NEAREST);
            checkPerCallAndPerImage(p.name().toLowerCase(), OpSpace.autoAugment(10, H, W), r -> aa.draw(r, H, W));
        }
    }

    @Test
    void augMixChainsDrawAsTorchvisionAndItsWeightsHaveDirichletMoments() {
        for (int severity : new int[] {3, 1}) {
            AugMix mix = AugMix.of(severity, Interpolation.BILINEAR);
            OpSpace space = OpSpace.augMix(10, H, W, true);
            Map<String, Integer> calls = new HashMap<>();
            Map<String, Integer> lengths = new HashMap<>();
            SplittableRandom rng = new SplittableRandom(severity);
            double sumOrig = 0;
            double sumOrig2 = 0;
            double sumChain = 0;
            double sumChain2 = 0;
            for (int i = 0; i < N; i++) {
                AugMix.Plan plan = mix.draw(rng, H, W);
                int total = 0;
                for (List<ImageAugment.OpCall> chain : plan.chains()) {
                    assertThat(chain).hasSizeBetween(1, 3);
                    total += chain.size();
                    chain.forEach(c -> calls.merge(key(space, c.op(), c.magnitude()), 1, Integer::sum));
                }
                lengths.merge("n=" + total, 1, Integer::sum);
                float weights = plan.originalWeight();
                sumOrig += plan.originalWeight();
                sumOrig2 += plan.originalWeight() * plan.originalWeight();
                for (float w : plan.chainWeights()) {
                    sumChain += w;
                    sumChain2 += w * w;
                    weights += w;
                }
                assertThat(weights).isCloseTo(1f, Offset.offset(1e-5f));
            }
            String label = severity == 3 ? "augmix" : "augmix_s1";
            assertSameDistribution(label + " per call", calls, torchCounts(label, "calls", s -> key(space, s)));
            assertSameDistribution(label + " chain lengths", lengths, torchCounts(label, "per_image", s -> s));
            // original ~ Beta(1, 1): mean 1/2, variance 1/12; a chain's weight ~ Dirichlet(1,1,1) * Beta: mean 1/6, variance 1/36
            double meanOrig = sumOrig / N;
            double meanChain = sumChain / (3.0 * N);
            assertThat(meanOrig).isCloseTo(0.5, Offset.offset(5 * Math.sqrt(1.0 / 12 / N)));
            assertThat(sumOrig2 / N - meanOrig * meanOrig).isCloseTo(1.0 / 12, Offset.offset(0.004));
            assertThat(meanChain).isCloseTo(1.0 / 6, Offset.offset(5 * Math.sqrt(1.0 / 36 / N)));
            assertThat(sumChain2 / (3.0 * N) - meanChain * meanChain).isCloseTo(1.0 / 36, Offset.offset(0.002));
        }
    }

    @Test
    void theComparisonCatchesAMissingSignAndAWrongPolicy() {
        RandAugment ra = RandAugment.of(9, Interpolation.NEAREST);
        OpSpace space = OpSpace.randAugment(31, H, W);
        Map<String, Integer> unsigned = new HashMap<>();
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < N; i++) {
            for (ImageAugment.OpCall c : ra.draw(rng, H, W)) {
                unsigned.merge(key(space, c.op(), Math.abs(c.magnitude())), 1, Integer::sum);
            }
        }
        assertThatThrownBy(() -> assertSameDistribution("ra without signs", unsigned,
                torchCounts("ra", "calls", s -> key(space, s)))).isInstanceOf(AssertionError.class);
        AutoAugment cifar = new AutoAugment(AutoAugment.Policy.CIFAR10, Interpolation.NEAREST);
        OpSpace aa = OpSpace.autoAugment(10, H, W);
        Map<String, Integer> calls = new HashMap<>();
        for (int i = 0; i < N; i++) {
            cifar.draw(rng, H, W).forEach(c -> calls.merge(key(aa, c.op(), c.magnitude()), 1, Integer::sum));
        }
        assertThatThrownBy(() -> assertSameDistribution("cifar10 against svhn", calls,
                torchCounts("svhn", "calls", s -> key(aa, s)))).isInstanceOf(AssertionError.class);
    }
}
