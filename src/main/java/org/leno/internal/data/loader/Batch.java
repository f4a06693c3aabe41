package org.leno.internal.data.loader;

import org.bytedeco.pytorch.Tensor;

/**
 * One batch: images (N x 3 x S x S float, normalised) and labels (N, int64). {@code real} counts
 * the samples that are not distributed padding. Close it after use to free its native memory.
 */
public record Batch(Tensor images, Tensor labels, int size, int real, Runnable release) implements AutoCloseable {
    /** Frees the tensors and gives the image buffer back to its loader; the tensors are invalid afterwards. */
    @Override
    public void close() {
        images.close();
        labels.close();
        release.run();
    }
}
