package org.leno.internal.data.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.leno.internal.config.Flag;
import org.leno.internal.config.FlagGroup;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.data.loader.EpochSampler;
import org.leno.internal.data.loader.RASampler;
import org.leno.internal.data.loader.Sampler;

/**
 * The augmentation settings of a training run, as torchvision's classification reference names
 * them: the automatic policy ({@code --auto-augment}, with {@code --ra-magnitude} and
 * {@code --augmix-severity}), random erasing, batch mixing, the resize interpolation (also the
 * policies', as ClassificationPresetTrain passes it on) and the repeated-augmentation sampler.
 * Builds the transforms, the sampler and the batch mixing of a run.
 */
@FlagGroup(heading = "Augmentation (torchvision's classification reference)")
public record Augmentation(
        @Flag(names = {"--auto-augment", "--auto_augment"}, value = "none", paramLabel = "POLICY",
                description = "Automatic augmentation after the crop and flip, as torchvision's: ra (RandAugment), "
                        + "ta_wide (TrivialAugmentWide), augmix, imagenet, cifar10, svhn (AutoAugment), none.")
        AugmentPolicy autoAugment,
        @Flag(names = {"--ra-magnitude", "--ra_magnitude"}, value = "9", paramLabel = "M",
                description = "RandAugment magnitude bin, 0-30.")
        int raMagnitude,
        @Flag(names = {"--augmix-severity", "--augmix_severity"}, value = "3", paramLabel = "S",
                description = "AugMix severity, 1-10.")
        int augmixSeverity,
        @Flag(names = {"--random-erase", "--random_erase"}, value = "0", paramLabel = "P",
                description = "Random erasing probability after normalisation, scale 0.02-0.33, ratio 0.3-3.3.")
        double randomErase,
        @Flag(names = {"--random-erase-value", "--random_erase_value"}, value = "zero", paramLabel = "V",
                description = "What erasing writes: zero (torchvision's reference) or random (N(0,1) per pixel).")
        EraseValue randomEraseValue,
        @Flag(names = {"--mixup-alpha", "--mixup_alpha"}, value = "0", paramLabel = "A",
                description = "Mixup with lambda ~ Beta(A, A) on every batch; 0 turns it off.")
        double mixupAlpha,
        @Flag(names = {"--cutmix-alpha", "--cutmix_alpha"}, value = "0", paramLabel = "A",
                description = "CutMix with lambda ~ Beta(A, A); with mixup too, one of them per batch.")
        double cutmixAlpha,
        @Flag(names = "--interpolation", value = "bilinear", paramLabel = "MODE",
                description = "Resize (and auto-augment) interpolation: bilinear, bicubic, nearest.")
        Interpolation interpolation,
        @Flag(names = "--resampler", value = "pil", paramLabel = "IMPL",
                description = "pil: Pillow's resampling, equal to the reference's (antialiased when shrinking); "
                        + "opencv: OpenCV's INTER_AREA/LINEAR/CUBIC, several times faster per resize, not equal.")
        Resampler resampler,
        @Flag(names = {"--ra-sampler", "--ra_sampler"}, value = "false",
                description = "Repeated-augmentation sampler (torchvision's RASampler): each image --ra-reps times per epoch.")
        boolean raSampler,
        @Flag(names = {"--ra-reps", "--ra_reps"}, value = "3", paramLabel = "N",
                description = "Repetitions of each image with --ra-sampler.")
        int raReps) {

    /** The reference's plain recipe: nothing on, bilinear. */
    public static final Augmentation NONE = new Augmentation(AugmentPolicy.NONE, 9, 3, 0.0, EraseValue.ZERO, 0.0, 0.0,
            Interpolation.BILINEAR, Resampler.PIL, false, 3);

    public Augmentation {
        if (autoAugment == null || randomEraseValue == null || interpolation == null || resampler == null) {
            throw new IllegalArgumentException("augmentation settings must not be null");
        }
        if (raMagnitude < 0 || raMagnitude > 30) {
            throw new IllegalArgumentException("--ra-magnitude must be in 0..30 (31 bins), got " + raMagnitude);
        }
        if (augmixSeverity < 1 || augmixSeverity > AugMix.PARAMETER_MAX) {
            throw new IllegalArgumentException("--augmix-severity must be in 1..10, got " + augmixSeverity);
        }
        if (!(randomErase >= 0 && randomErase <= 1)) {
            throw new IllegalArgumentException("--random-erase must be a probability in [0, 1], got " + randomErase);
        }
        if (!(mixupAlpha >= 0 && Double.isFinite(mixupAlpha))) {
            throw new IllegalArgumentException("--mixup-alpha must be a finite number >= 0 (0: off), got " + mixupAlpha);
        }
        if (!(cutmixAlpha >= 0 && Double.isFinite(cutmixAlpha))) {
            throw new IllegalArgumentException("--cutmix-alpha must be a finite number >= 0 (0: off), got " + cutmixAlpha);
        }
        if (raReps < 1) {
            throw new IllegalArgumentException("--ra-reps must be at least 1, got " + raReps);
        }
    }

    /** The automatic augmentation policy, or null for none. */
    public ImageAugment policy() {
        return switch (autoAugment) {
            case NONE -> null;
            case RA -> RandAugment.of(raMagnitude, interpolation);
            case TA_WIDE -> TrivialAugmentWide.of(interpolation);
            case AUGMIX -> AugMix.of(augmixSeverity, interpolation);
            case IMAGENET -> new AutoAugment(AutoAugment.Policy.IMAGENET, interpolation);
            case CIFAR10 -> new AutoAugment(AutoAugment.Policy.CIFAR10, interpolation);
            case SVHN -> new AutoAugment(AutoAugment.Policy.SVHN, interpolation);
        };
    }

    public RandomErasing erasing() {
        return randomErase == 0 ? RandomErasing.OFF : RandomErasing.of(randomErase, randomEraseValue == EraseValue.RANDOM);
    }

    /** The training transform: RandomResizedCrop with {@code box}, flip p 0.5, the policy, normalisation, erasing. */
    public TrainTransform trainTransform(int crop, RandomResizedCrop box) {
        return new TrainTransform(crop, box, 0.5, resampler, interpolation, policy(), erasing());
    }

    /** The validation transform with this interpolation and resampler. */
    public ValTransform valTransform(int resize, int crop) {
        return new ValTransform(resize, crop, resampler, interpolation);
    }

    /** The training sampler: RASampler with {@code --ra-reps} when {@code --ra-sampler}, else the plain shuffled shard. */
    public Sampler trainSampler(int datasetSize, long seed, int rank, int worldSize) {
        return raSampler ? new RASampler(datasetSize, true, seed, rank, worldSize, raReps)
                : new EpochSampler(datasetSize, true, seed, rank, worldSize);
    }

    /** The batch mixing for {@code numClasses} classes, when a mixup or cutmix alpha is set. */
    public Optional<BatchMix> batchMix(int numClasses) {
        BatchMix mix = new BatchMix(mixupAlpha, cutmixAlpha, numClasses);
        return mix.isOff() ? Optional.empty() : Optional.of(mix);
    }

    /** One line for the start of a run, e.g. "auto-augment ta_wide, random erase 0.1, mixup 0.2, cutmix 1.0, bilinear". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        switch (autoAugment) {
            case NONE -> { }
            case RA -> parts.add("auto-augment ra (magnitude " + raMagnitude + ")");
            case AUGMIX -> parts.add("auto-augment augmix (severity " + augmixSeverity + ")");
            default -> parts.add("auto-augment " + autoAugment);
        }
        if (randomErase > 0) {
            parts.add("random erase " + randomErase + (randomEraseValue == EraseValue.RANDOM ? " (random values)" : ""));
        }
        if (mixupAlpha > 0) {
            parts.add("mixup " + mixupAlpha);
        }
        if (cutmixAlpha > 0) {
            parts.add("cutmix " + cutmixAlpha);
        }
        parts.add(interpolation + " (" + resampler + ")");
        if (raSampler) {
            parts.add("ra-sampler x" + raReps);
        }
        return String.join(", ", parts);
    }
}
