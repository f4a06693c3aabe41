package org.leno.internal.train;

import java.util.Iterator;
import java.util.NoSuchElementException;
import org.leno.internal.data.loader.Batch;
import org.leno.internal.nn.ComputeDevice;

/**
 * A loader's batches on the compute device, one batch ahead. On a GPU, batch i+1's images and
 * labels are copied without blocking from the loader's pinned buffers on a side stream while batch
 * i computes ({@link CudaCopies}); the step's stream waits for that copy's event, and the host
 * buffer goes back to the loader only once its copy has completed. On the CPU a batch is already
 * where it is computed: it passes through unchanged, still one ahead, and its buffer returns to the
 * loader when the step closes it, as without the feed.
 */
public final class DeviceFeed implements Iterator<Batch>, AutoCloseable {
    private static final DeviceLane IN_PLACE = host -> new DeviceLane.Staged() {
        @Override
        public Batch ready() { return host; }

        @Override
        public void close() { host.close(); }
    };

    private final Iterator<Batch> host;
    private final DeviceLane lane;
    private DeviceLane.Staged ahead;

    DeviceFeed(Iterator<Batch> host, DeviceLane lane) {
        this.host = host;
        this.lane = lane;
    }

    /** The batches of {@code host} on {@code device}, reordered to channels-last there when asked (on a GPU). */
    public static DeviceFeed of(Iterator<Batch> host, ComputeDevice device, boolean channelsLast) {
        return new DeviceFeed(host, device.isCuda() ? new CudaCopies(device, channelsLast) : IN_PLACE);
    }

    /** True when batches pass through unchanged (the CPU). */
    boolean inPlace() {
        return lane == IN_PLACE;
    }

    @Override
    public boolean hasNext() {
        return ahead != null || host.hasNext();
    }

    /** The next batch, ready on the device; close it after its step, as a loader's batch. */
    @Override
    public Batch next() {
        if (ahead == null) {
            if (!host.hasNext()) {
                throw new NoSuchElementException();
            }
            ahead = lane.stage(host.next());
        }
        DeviceLane.Staged current = ahead;
        ahead = host.hasNext() ? lane.stage(host.next()) : null;
        return current.ready();
    }

    @Override
    public void close() {
        if (ahead != null) {
            ahead.close();
            ahead = null;
        }
        lane.close();
    }
}
