package org.leno.internal.data.augment;

import java.util.Locale;

/** The values of {@code --auto-augment}, torchvision's reference names (none: no policy). */
public enum AugmentPolicy {
    NONE, RA, TA_WIDE, AUGMIX, IMAGENET, CIFAR10, SVHN;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
