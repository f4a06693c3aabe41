package org.leno.nn;

import org.bytedeco.javacpp.PointerScope;

/**
 * Frees, when closed, every native object (tensors, options, vectors) created inside it on this
 * thread. Open one per training step or forward pass; the model, optimizer and hooks live outside.
 */
public final class NativeScope implements AutoCloseable {
    private final PointerScope scope;

    private NativeScope() {
        this.scope = new PointerScope();
    }

    public static NativeScope open() {
        return new NativeScope();
    }

    /** Keeps a native object alive past this scope (it is then freed by the garbage collector or an outer scope). */
    public <P extends org.bytedeco.javacpp.Pointer> P keep(P pointer) {
        scope.detach(pointer);
        return pointer;
    }

    @Override
    public void close() {
        scope.close();
    }
}
