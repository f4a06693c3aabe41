package org.leno.internal.interop;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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

    /** A user of the bytes that writes them somewhere. */
    @FunctionalInterface
    interface BytesWriter {
        void write(ByteBuffer bytes) throws IOException;
    }

    /** {@link #withBytes} for a user that may throw an IOException, which is passed on as it is. */
    default void withBytesWriting(BytesWriter writer) throws IOException {
        try {
            withBytes(bytes -> {
                try {
                    writer.write(bytes);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes the bytes to {@code out}. */
    default void writeTo(OutputStream out) throws IOException {
        withBytesWriting(bytes -> copy(bytes, out));
    }

    /** Copies a (possibly direct) buffer to a stream through a bounded heap chunk. */
    static void copy(ByteBuffer from, OutputStream to) throws IOException {
        if (from.hasArray()) {
            to.write(from.array(), from.arrayOffset() + from.position(), from.remaining());
            return;
        }
        byte[] chunk = new byte[(int) Math.min(from.remaining(), 1 << 20)];
        while (from.hasRemaining()) {
            int n = Math.min(chunk.length, from.remaining());
            from.get(chunk, 0, n);
            to.write(chunk, 0, n);
        }
    }
}
