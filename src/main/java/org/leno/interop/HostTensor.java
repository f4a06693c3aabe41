package org.leno.interop;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * A dense tensor that a file writer can stream: its type, shape and little-endian bytes in
 * row-major order. The bytes may live on the Java heap ({@link TensorData}) or in native memory
 * (a libtorch tensor, made contiguous only while it is written), so that saving a checkpoint
 * copies nothing onto the Java heap.
 */
public interface HostTensor {
    DType dtype();

    long[] shape();

    default long numel() { return TensorData.numel(shape()); }

    default long byteSize() { return numel() * dtype().size(); }

    /** Hands {@code user} a read-only buffer of {@link #byteSize()} bytes, valid only during the call. */
    void withBytes(Consumer<ByteBuffer> user);
}
