/**
 * The training and validation transforms and everything that varies an image or a batch:
 * random resized crop, the automatic policies (RandAugment, TrivialAugmentWide, AugMix,
 * AutoAugment), random erasing, mixup and cutmix, normalisation, and the {@code --auto-augment}
 * family of settings that assembles them. The top of the data packages.
 */
package org.leno.internal.data.augment;
