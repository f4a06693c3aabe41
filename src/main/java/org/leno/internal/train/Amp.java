package org.leno.internal.train;

import java.util.Locale;
import org.bytedeco.pytorch.global.torch;

/**
 * Mixed precision of the training step: none (fp32), autocast to bfloat16 (CPU or CUDA), or autocast
 * to float16 with a dynamic loss scaler (CUDA only: the recipe of PyTorch's ImageNet AMP runs).
 */
public enum Amp {
    NONE,
    BF16,
    FP16;

    /** The step's loss scaler: float16's gradients underflow without one; float32 and bfloat16 need none. */
    public GradScaler newScaler() {
        return this == FP16 ? new GradScaler() : null;
    }

    /** The dtype the forward pass autocasts to; null for none. */
    public torch.ScalarType autocastType() {
        return switch (this) {
            case NONE -> null;
            case BF16 -> torch.ScalarType.BFloat16;
            case FP16 -> torch.ScalarType.Half;
        };
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
