package org.leno.data;

import org.bytedeco.pytorch.Tensor;

/**
 * One batch: images (N x 3 x S x S float, normalised) and labels (N, int64). {@code real} counts
 * the samples that are not distributed padding. Close it after use to free its native memory.
 */
public record Batch(Tensor images, Tensor labels, int size, int real) implements AutoCloseable {
    @Override
    public void close() {
        images.close();
        labels.close();
    }
}
