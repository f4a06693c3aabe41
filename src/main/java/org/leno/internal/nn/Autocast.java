package org.leno.internal.nn;

import org.bytedeco.pytorch.global.torch;

/**
 * Autocast to a lower precision on one device, set on the thread that runs the forward pass and undone
 * when closed (try-with-resources). Closing the outermost one drops libtorch's cached low-precision
 * weight copies, which would go stale after an optimizer update.
 */
public final class Autocast implements AutoCloseable {
    private final ComputeDevice device;

    private Autocast(ComputeDevice device, torch.ScalarType dtype) {
        this.device = device;
        torch.set_autocast_dtype(device.type(), dtype);
        torch.set_autocast_enabled(device.type(), true);
        torch.increment_nesting();
    }

    /** Autocast to {@code dtype} on {@code device}; null (nothing to close) when {@code dtype} is null. */
    public static Autocast to(ComputeDevice device, torch.ScalarType dtype) {
        return dtype == null ? null : new Autocast(device, dtype);
    }

    @Override
    public void close() {
        if (torch.decrement_nesting() == 0) {
            torch.clear_cache();
        }
        torch.set_autocast_enabled(device.type(), false);
    }
}
