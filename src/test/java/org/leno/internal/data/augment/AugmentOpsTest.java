package org.leno.internal.data.augment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.leno.internal.data.decode.Interpolation;

/**
 * Every operation of the auto-augment op spaces against torchvision 0.14's _apply_op on uint8
 * tensors (scripts/make_augment_fixtures.py): photo-like images of 32x24, 24x36 and 40x40 and a
 * degenerate 12x8, fixed magnitudes, nearest and bilinear sampling for the geometric operations.
 */
class AugmentOpsTest {
    /** Lookup tables and blends repeat torchvision's arithmetic: equal to the byte. */
    private static final Set<AugmentOp> EXACT = EnumSet.of(AugmentOp.IDENTITY, AugmentOp.POSTERIZE, AugmentOp.SOLARIZE,
            AugmentOp.INVERT, AugmentOp.EQUALIZE, AugmentOp.AUTO_CONTRAST, AugmentOp.BRIGHTNESS, AugmentOp.COLOR,
            AugmentOp.CONTRAST, AugmentOp.SHARPNESS);

    private static final AugmentFixtures FIXTURES = new AugmentFixtures();

    /** Per op and interpolation: worst mean |ours - torchvision| of a case, largest difference, sum, differing values. */
    private record Stats(double worstMean, int max, long sum, long differing, long values) {
        Stats add(Stats o) {
            return new Stats(Math.max(worstMean, o.worstMean), Math.max(max, o.max), sum + o.sum, differing + o.differing,
                    values + o.values);
        }
    }

    @Test
    void everyOperationEqualsTorchvisionOnUint8Tensors() {
        Map<String, Stats> stats = new TreeMap<>();
        int cases = 0;
        for (JsonNode c : FIXTURES.meta.get("cases")) {
            AugmentOp op = AugmentOp.ofTorchName(c.get("op").asText());
            Interpolation mode = Interpolation.valueOf(c.get("interpolation").asText().toUpperCase(Locale.ROOT));
            double magnitude = c.get("magnitude").asDouble();
            int image = c.get("image").asInt();
            byte[] want = FIXTURES.bytes(image, c.get("offset").asLong());
            byte[] got;
            try (Mat m = FIXTURES.mat(image)) {
                ImageOps.apply(op, magnitude, m, mode);
                got = ImageOps.bytes(m);
            }
            String what = op.torchName() + " m=" + magnitude + " " + mode + " on " + FIXTURES.image(image).get("name").asText();
            if (EXACT.contains(op)) {
                assertThat(got).as(what).isEqualTo(want);
            }
            long sum = 0;
            int max = 0;
            long diff = 0;
            for (int i = 0; i < got.length; i++) {
                int d = Math.abs((got[i] & 0xff) - (want[i] & 0xff));
                sum += d;
                max = Math.max(max, d);
                diff += d == 0 ? 0 : 1;
            }
            double mean = sum / (double) got.length;
            assertThat(mean).as(what + ": mean |ours - torchvision| in grey levels").isLessThan(1.0);
            if (mode == Interpolation.NEAREST) {
                // nearest sampling differs only where a coordinate falls within rounding of a pixel border
                assertThat(diff / (double) got.length).as(what + ": fraction of differing values").isLessThan(0.02);
            }
            stats.merge(op.torchName() + " " + mode, new Stats(mean, max, sum, diff, got.length), Stats::add);
            cases++;
        }
        assertThat(cases).isEqualTo(FIXTURES.meta.get("cases").size()).isGreaterThan(150);
        stats.forEach((k, s) -> System.out.printf("%-24s mean |diff| %.4f (worst case %.4f), max %d, differing values %d of %d%n",
                k, s.sum / (double) s.values, s.worstMean, s.max, s.differing, s.values));
    }

    @Test
    void magnitudeBinsAreTorchvisionsWithinOneFloat32Ulp() {
        JsonNode tables = FIXTURES.meta.get("tables");
        int checked = 0;
        for (var it = tables.fields(); it.hasNext(); ) {
            var entry = it.next();
            String[] key = entry.getKey().split("/");
            String[] hw = key[1].split("x");
            int h = Integer.parseInt(hw[0]);
            int w = Integer.parseInt(hw[1]);
            OpSpace space = switch (key[0]) {
                case "ra" -> OpSpace.randAugment(31, h, w);
                case "ta_wide" -> OpSpace.trivialAugmentWide(31);
                case "augmix" -> OpSpace.augMix(10, h, w, true);
                case "autoaugment" -> OpSpace.autoAugment(10, h, w);
                default -> throw new IllegalStateException(key[0]);
            };
            JsonNode ops = entry.getValue();
            assertThat(space.size()).as(entry.getKey()).isEqualTo(ops.size());
            int index = 0;
            for (var o = ops.fields(); o.hasNext(); index++) {
                var op = o.next();
                OpSpace.Entry e = space.get(index);
                assertThat(e.op().torchName()).as(entry.getKey() + " op order").isEqualTo(op.getKey());
                assertThat(e.signed()).as(entry.getKey() + " " + op.getKey()).isEqualTo(op.getValue().get("signed").asBoolean());
                JsonNode mags = op.getValue().get("magnitudes");
                assertThat(e.magnitudes()).hasSize(mags.size());
                for (int i = 0; i < mags.size(); i++) {
                    float want = (float) mags.get(i).asDouble();
                    // torch's CPU linspace rounds differently in its vectorised and scalar parts
                    int ulps = Math.abs(Float.floatToIntBits(e.magnitudes()[i]) - Float.floatToIntBits(want));
                    assertThat(ulps).as(entry.getKey() + " " + op.getKey() + " bin " + i + ": " + e.magnitudes()[i]
                            + " against torchvision's " + want).isLessThanOrEqualTo(1);
                    checked++;
                }
            }
        }
        assertThat(checked).isGreaterThan(500);
    }
}
