package org.leno.internal.data.loader;

import org.bytedeco.javacpp.FloatPointer;

/**
 * Non-owning pointers into native buffers. JavaCPP's copy constructors share the original's
 * deallocator (closing a copy frees the buffer) and a Pointer argument's position counts bytes
 * whatever its Java type, so views are made here from plain addresses instead.
 */
public final class NativeViews {
    private NativeViews() {
    }

    /** A pointer to float number {@code index} after {@code base}'s current element, owning nothing. */
    public static FloatPointer floatAt(FloatPointer base, long index) {
        long addr = base.address() + Float.BYTES * (base.position() + index);
        return new FloatPointer() {
            {
                address = addr;
            }
        };
    }
}
