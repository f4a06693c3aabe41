package org.leno.cli;

import org.leno.data.AugmentPolicy;
import org.leno.data.Augmentation;
import org.leno.data.EraseValue;
import org.leno.data.Interpolation;
import picocli.CommandLine.Option;

/**
 * The augmentation flags of torchvision's classification reference, for {@code @Mixin} use by the
 * verbs that train or time the training pipeline; {@link #augmentation()} checks and freezes them.
 * Enum values are parsed case-insensitively (Main sets picocli's option).
 */
public final class AugmentOptions {
    @Option(names = {"--auto-augment", "--auto_augment"}, defaultValue = "none", paramLabel = "POLICY",
            description = "Automatic augmentation after the crop and flip, as torchvision's: ra (RandAugment), "
                    + "ta_wide (TrivialAugmentWide), augmix, imagenet, cifar10, svhn (AutoAugment), none. Default: ${DEFAULT-VALUE}.")
    AugmentPolicy autoAugment;

    @Option(names = {"--ra-magnitude", "--ra_magnitude"}, defaultValue = "9", paramLabel = "M",
            description = "RandAugment magnitude bin, 0-30 (default: ${DEFAULT-VALUE}).")
    int raMagnitude;

    @Option(names = {"--augmix-severity", "--augmix_severity"}, defaultValue = "3", paramLabel = "S",
            description = "AugMix severity, 1-10 (default: ${DEFAULT-VALUE}).")
    int augmixSeverity;

    @Option(names = {"--random-erase", "--random_erase"}, defaultValue = "0", paramLabel = "P",
            description = "Random erasing probability after normalisation, scale 0.02-0.33, ratio 0.3-3.3 (default: ${DEFAULT-VALUE}).")
    double randomErase;

    @Option(names = {"--random-erase-value", "--random_erase_value"}, defaultValue = "zero", paramLabel = "V",
            description = "What erasing writes: zero (torchvision's reference) or random (N(0,1) per pixel). Default: ${DEFAULT-VALUE}.")
    EraseValue randomEraseValue;

    @Option(names = {"--mixup-alpha", "--mixup_alpha"}, defaultValue = "0", paramLabel = "A",
            description = "Mixup with lambda ~ Beta(A, A) on every batch; 0 turns it off (default: ${DEFAULT-VALUE}).")
    double mixupAlpha;

    @Option(names = {"--cutmix-alpha", "--cutmix_alpha"}, defaultValue = "0", paramLabel = "A",
            description = "CutMix with lambda ~ Beta(A, A); with mixup too, one of them per batch (default: ${DEFAULT-VALUE}).")
    double cutmixAlpha;

    @Option(names = "--interpolation", defaultValue = "bilinear", paramLabel = "MODE",
            description = "Resize (and auto-augment) interpolation: bilinear, bicubic, nearest (default: ${DEFAULT-VALUE}).")
    Interpolation interpolation;

    @Option(names = {"--ra-sampler", "--ra_sampler"},
            description = "Repeated-augmentation sampler (torchvision's RASampler): each image --ra-reps times per epoch.")
    boolean raSampler;

    @Option(names = {"--ra-reps", "--ra_reps"}, defaultValue = "3", paramLabel = "N",
            description = "Repetitions of each image with --ra-sampler (default: ${DEFAULT-VALUE}).")
    int raReps;

    /** The checked settings; an IllegalArgumentException naming the flag when one is out of range. */
    public Augmentation augmentation() {
        return new Augmentation(autoAugment, raMagnitude, augmixSeverity, randomErase, randomEraseValue, mixupAlpha,
                cutmixAlpha, interpolation, raSampler, raReps);
    }
}
