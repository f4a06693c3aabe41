package org.leno.internal.data.augment;

import java.util.ArrayList;
import java.util.List;

/**
 * An op space of torchvision's autoaugment.py: the operations in torchvision's order (which a
 * uniform draw of an index depends on), whether each is signed (negated with probability 1/2),
 * and its magnitude bins as float32 values, as torchvision holds them in tensors.
 */
record OpSpace(List<Entry> entries) {

    /** {@code magnitudes} is empty for the operations without a magnitude (their magnitude is 0). */
    record Entry(AugmentOp op, boolean signed, float[] magnitudes) {
        double magnitude(int bin) {
            return magnitudes.length == 0 ? 0.0 : magnitudes[bin];
        }
    }

    int size() {
        return entries.size();
    }

    Entry get(int index) {
        return entries.get(index);
    }

    static OpSpace randAugment(int bins, int height, int width) {
        Builder b = new Builder().fixed(AugmentOp.IDENTITY);
        b.shearsTranslationsRotation(bins, 0.3, 150.0 / 331.0 * width, 150.0 / 331.0 * height, 30.0);
        b.blends(bins, 0.9);
        return b.posterize(8, bins, 4).solarize(bins).fixed(AugmentOp.AUTO_CONTRAST).fixed(AugmentOp.EQUALIZE).build();
    }

    static OpSpace trivialAugmentWide(int bins) {
        Builder b = new Builder().fixed(AugmentOp.IDENTITY);
        b.shearsTranslationsRotation(bins, 0.99, 32.0, 32.0, 135.0);
        b.blends(bins, 0.99);
        return b.posterize(8, bins, 6).solarize(bins).fixed(AugmentOp.AUTO_CONTRAST).fixed(AugmentOp.EQUALIZE).build();
    }

    static OpSpace augMix(int bins, int height, int width, boolean allOps) {
        Builder b = new Builder();
        b.shearsTranslationsRotation(bins, 0.3, width / 3.0, height / 3.0, 30.0);
        b.posterize(4, bins, 4).solarize(bins).fixed(AugmentOp.AUTO_CONTRAST).fixed(AugmentOp.EQUALIZE);
        if (allOps) {
            b.blends(bins, 0.9);
        }
        return b.build();
    }

    /** AutoAugment's space, which its policies index by operation rather than by position. */
    static OpSpace autoAugment(int bins, int height, int width) {
        Builder b = new Builder();
        b.shearsTranslationsRotation(bins, 0.3, 150.0 / 331.0 * width, 150.0 / 331.0 * height, 30.0);
        b.blends(bins, 0.9);
        b.posterize(8, bins, 4).solarize(bins).fixed(AugmentOp.AUTO_CONTRAST).fixed(AugmentOp.EQUALIZE);
        return b.fixed(AugmentOp.INVERT).build();
    }

    Entry of(AugmentOp op) {
        for (Entry e : entries) {
            if (e.op() == op) {
                return e;
            }
        }
        throw new IllegalArgumentException(op + " is not in this op space");
    }

    /**
     * torch.linspace(start, end, steps) in float32: with both ends in float32, the exact value
     * start + (end - start) i / (steps - 1) rounded to float. torch's CPU kernel computes it in float arithmetic whose rounding depends on
     * the CPU's vector width, so its bins can differ from these in the last bit.
     */
    static float[] linspace(double start, double end, int steps) {
        double s = (float) start; // torch converts both ends to the tensor's float32 first
        double e = (float) end;
        float[] out = new float[steps];
        for (int i = 0; i < steps; i++) {
            out[i] = steps == 1 ? (float) s : (float) (s + (e - s) * i / (steps - 1));
        }
        return out;
    }

    private static final class Builder {
        private final List<Entry> entries = new ArrayList<>();

        Builder fixed(AugmentOp op) {
            entries.add(new Entry(op, false, new float[0]));
            return this;
        }

        Builder signed(AugmentOp op, float[] magnitudes) {
            entries.add(new Entry(op, true, magnitudes));
            return this;
        }

        void shearsTranslationsRotation(int bins, double shear, double translateX, double translateY, double rotate) {
            signed(AugmentOp.SHEAR_X, linspace(0, shear, bins));
            signed(AugmentOp.SHEAR_Y, linspace(0, shear, bins));
            signed(AugmentOp.TRANSLATE_X, linspace(0, translateX, bins));
            signed(AugmentOp.TRANSLATE_Y, linspace(0, translateY, bins));
            signed(AugmentOp.ROTATE, linspace(0, rotate, bins));
        }

        void blends(int bins, double max) {
            signed(AugmentOp.BRIGHTNESS, linspace(0, max, bins));
            signed(AugmentOp.COLOR, linspace(0, max, bins));
            signed(AugmentOp.CONTRAST, linspace(0, max, bins));
            signed(AugmentOp.SHARPNESS, linspace(0, max, bins));
        }

        /** top - round(i / ((bins - 1) / divisions)) bits, as torchvision's integer tensor. */
        Builder posterize(int top, int bins, int divisions) {
            float[] bits = new float[bins];
            float divisor = (float) ((bins - 1) / (double) divisions);
            for (int i = 0; i < bins; i++) {
                bits[i] = top - (float) Math.rint(i / divisor);
            }
            entries.add(new Entry(AugmentOp.POSTERIZE, false, bits));
            return this;
        }

        Builder solarize(int bins) {
            entries.add(new Entry(AugmentOp.SOLARIZE, false, linspace(255.0, 0.0, bins)));
            return this;
        }

        OpSpace build() {
            return new OpSpace(List.copyOf(entries));
        }
    }
}
