package org.leno.internal.data.loader;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.Natives;

/**
 * A loader's batch buffers, reused: a fresh allocation per batch costs a page fault per 4 KiB on
 * first write, about a fifth of the decode time at 224 pixels. Pinned (page-locked, through
 * libtorch's CUDA host allocator, as PyTorch's {@code pin_memory=True}) when the batches go to a GPU,
 * so that their copies to the device run asynchronously; that allocator exists only in the GPU
 * build with a device, so the CPU never asks for it.
 */
final class HostBuffers implements AutoCloseable {
    private final long floats;
    private final boolean pinned;
    private final ConcurrentLinkedQueue<FloatPointer> free = new ConcurrentLinkedQueue<>();
    /** The pinned tensors whose memory the buffers are, by address. */
    private final Map<Long, Tensor> pinnedOwners = new ConcurrentHashMap<>();
    private final AtomicInteger allocated = new AtomicInteger();

    HostBuffers(long floats, boolean pinned) {
        if (pinned && !Natives.cudaAvailable()) {
            throw new IllegalArgumentException("pinned batch memory needs a CUDA device and the GPU build of leno"
                    + " (LENO_GPU=1 ./leno); on the CPU, batches are used where they are");
        }
        this.floats = floats;
        this.pinned = pinned;
    }

    FloatPointer take() {
        FloatPointer b = free.poll();
        return b != null ? b : allocate();
    }

    void give(FloatPointer buffer) {
        free.add(buffer);
    }

    /** Buffers allocated so far: bounded by the prefetch window, whatever the number of epochs. */
    int allocated() {
        return allocated.get();
    }

    private FloatPointer allocate() {
        allocated.incrementAndGet();
        if (!pinned) {
            FloatPointer b = new FloatPointer(floats);
            b.retainReference(); // owned by the loader, not by whatever PointerScope is open now
            return b;
        }
        Tensor owner = torch.empty(new long[] {floats},
                new TensorOptions(torch.ScalarType.Float).pinned_memory(new BoolOptional(true)), new MemoryFormatOptional());
        owner.retainReference();
        FloatPointer b = new FloatPointer(owner.data_ptr_float()).capacity(floats);
        pinnedOwners.put(b.address(), owner);
        return b;
    }

    /** Frees the buffers given back; one still held by a batch is left to that batch's memory. */
    @Override
    public void close() {
        FloatPointer b;
        while ((b = free.poll()) != null) {
            if (pinned) {
                pinnedOwners.remove(b.address()).close();
            } else {
                b.deallocate();
            }
        }
    }
}
