package org.leno.internal.train;

import org.leno.internal.data.loader.Batch;

/**
 * How {@link DeviceFeed} gets one batch to the device: {@link #stage} starts its copies,
 * {@link Staged#ready} orders the step after them (on a GPU, {@link CudaCopies}).
 */
interface DeviceLane extends AutoCloseable {
    Staged stage(Batch host);

    @Override
    default void close() {
    }

    /** A batch whose copies were started; {@link #ready} gives the device batch to compute with. */
    interface Staged extends AutoCloseable {
        Batch ready();

        /** Frees a batch that will not be used (the feed closed before handing it out). */
        @Override
        void close();
    }
}
