package org.leno.internal.data.augment;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Tensors;

/**
 * Batch-level mixing as torchvision's classification reference (transforms.py RandomMixup and
 * RandomCutmix with p = 1; when both alphas are set, one of them per batch with equal
 * probability, as its RandomChoice). Each image is paired with its predecessor in the batch
 * (the batch rolled by 1); lambda ~ Beta(alpha, alpha). Mixup blends the images; cutmix pastes
 * the predecessor's box, of half-width int(0.5 sqrt(1 - lambda) W) and half-height
 * int(0.5 sqrt(1 - lambda) H) around a uniform centre, clamped to the image, and sets lambda to
 * the exact unpasted area fraction. Targets are
 * the one-hot labels mixed with the same lambda (float32, as torchvision's), for a cross-entropy
 * on probabilities (with label smoothing applied to these targets by the loss).
 * An alpha of 0 turns that mixing off.
 */
public record BatchMix(double mixupAlpha, double cutmixAlpha, int numClasses) {
    private static final long SALT = 0x6D69787570637574L;

    public BatchMix {
        if (!(mixupAlpha >= 0 && Double.isFinite(mixupAlpha))) {
            throw new IllegalArgumentException("--mixup-alpha must be a finite number >= 0, got " + mixupAlpha);
        }
        if (!(cutmixAlpha >= 0 && Double.isFinite(cutmixAlpha))) {
            throw new IllegalArgumentException("--cutmix-alpha must be a finite number >= 0, got " + cutmixAlpha);
        }
        if (numClasses < 1) {
            throw new IllegalArgumentException("batch mixing needs at least one class, got " + numClasses);
        }
    }

    public enum Kind { MIXUP, CUTMIX }

    /** The pasted box of a cutmix: rows [y1, y2), columns [x1, x2). */
    public record Box(int x1, int y1, int x2, int y2) {
        public int area() {
            return (x2 - x1) * (y2 - y1);
        }
    }

    /**
     * What one batch became: {@code targets} (N x C float32, each row summing to 1; the caller owns
     * and closes it), the label of the larger weight per sample ({@code dominantLabels}: the target's
     * arg-max with ties to the lower class index, which is what torchvision's reference computes
     * training accuracy against, {@code target.max(dim=1)[1]}, and timm's "dominant label"), the
     * mixing, lambda (the weight of each sample's own image) and, for cutmix, the box (else null).
     */
    public record Mixed(Tensor targets, long[] dominantLabels, Kind kind, double lambda, Box box) implements AutoCloseable {
        @Override
        public void close() {
            targets.close();
        }
    }

    public boolean isOff() {
        return mixupAlpha == 0 && cutmixAlpha == 0;
    }

    /** The random stream of one batch: a function of (seed, epoch, iteration, rank), so resumed and distributed runs repeat it. */
    public static SplittableRandom stream(long seed, int epoch, long iteration, int rank) {
        return new SplittableRandom(DataLoader.mix(DataLoader.mix(seed, epoch, iteration) ^ SALT, rank, 0));
    }

    /**
     * Mixes {@code images} (N x C x H x W float, any memory format and device) in place and returns
     * the soft targets for {@code labels} (N, int64).
     */
    public Mixed apply(Tensor images, Tensor labels, SplittableRandom rng) {
        if (isOff()) {
            throw new IllegalStateException("batch mixing is off (both alphas are 0)");
        }
        long[] y = labelsOf(labels);
        long[] shape = Tensors.shape(images);
        if (shape.length != 4 || shape[0] != y.length) {
            throw new IllegalArgumentException("batch mixing needs N x C x H x W images and N labels");
        }
        Kind kind = mixupAlpha > 0 && cutmixAlpha > 0 ? (rng.nextInt(2) == 0 ? Kind.MIXUP : Kind.CUTMIX)
                : mixupAlpha > 0 ? Kind.MIXUP : Kind.CUTMIX;
        double alpha = kind == Kind.MIXUP ? mixupAlpha : cutmixAlpha;
        double lambda = Distributions.beta(alpha, alpha, rng);
        Box box = null;
        try (NativeScope scope = NativeScope.open()) {
            if (kind == Kind.MIXUP) {
                Tensor rolled = images.roll(new long[] {1}, 0);
                rolled.mul_(new Scalar(1.0 - lambda));
                images.mul_(new Scalar(lambda)).add_(rolled);
            } else {
                box = cutmixBox(lambda, (int) shape[3], (int) shape[2], rng);
                if (box.area() > 0) {
                    Tensor region = images.narrow(2, box.y1(), box.y2() - box.y1()).narrow(3, box.x1(), box.x2() - box.x1());
                    region.copy_(region.roll(new long[] {1}, 0));
                }
                lambda = 1.0 - (double) box.area() / (shape[3] * shape[2]);
            }
        }
        return targets(y, kind, lambda, box, images);
    }

    /** torchvision's RandomCutmix box: centre uniform over the pixels, half-sides from lambda, clamped. */
    static Box cutmixBox(double lambda, int width, int height, SplittableRandom rng) {
        int rx = rng.nextInt(width);
        int ry = rng.nextInt(height);
        double r = 0.5 * Math.sqrt(1.0 - lambda);
        int rw = (int) (r * width);
        int rh = (int) (r * height);
        return new Box(Math.max(rx - rw, 0), Math.max(ry - rh, 0), Math.min(rx + rw, width), Math.min(ry + rh, height));
    }

    private Mixed targets(long[] y, Kind kind, double lambda, Box box, Tensor images) {
        int n = y.length;
        float own = (float) lambda;
        float other = (float) (1.0 - lambda);
        float[] t = new float[n * numClasses];
        long[] dominant = new long[n];
        for (int i = 0; i < n; i++) {
            int prev = (i + n - 1) % n;
            checkLabel(y[i]);
            t[i * numClasses + (int) y[i]] = own;
            t[i * numClasses + (int) y[prev]] += other;
            dominant[i] = y[i] == y[prev] || own > other ? y[i]
                    : other > own ? y[prev] : Math.min(y[i], y[prev]);
        }
        Tensor host = Tensors.fromFloats(t, n, numClasses);
        Tensor targets = host;
        if (images.is_cuda()) {
            targets = host.to(images.device(), ScalarType.Float);
            host.close();
        }
        return new Mixed(targets, dominant, kind, lambda, box);
    }

    private void checkLabel(long label) {
        if (label < 0 || label >= numClasses) {
            throw new IllegalArgumentException("label " + label + " is outside the " + numClasses + " classes");
        }
    }

    private static long[] labelsOf(Tensor labels) {
        try (NativeScope scope = NativeScope.open()) {
            Tensor c = labels.detach().cpu().to(ScalarType.Long).contiguous();
            long[] out = new long[Math.toIntExact(c.numel())];
            if (out.length > 0) {
                LongPointer p = c.data_ptr_long();
                p.get(out);
            }
            return out;
        }
    }
}
