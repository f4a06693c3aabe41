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
        pointer.retainReference();
        scope.detach(pointer);
        return pointer;
    }

    /**
     * Takes {@code pointer} out of the innermost open scope, if any, so that it outlives it. (A
     * scope's detach also drops the reference its attach took, which would free the object: one
     * more reference is taken first.)
     */
    public static <P extends org.bytedeco.javacpp.Pointer> P escape(P pointer) {
        PointerScope inner = PointerScope.getInnerScope();
        if (inner != null) {
            pointer.retainReference();
            inner.detach(pointer);
        }
        return pointer;
    }

    @Override
    public void close() {
        scope.close();
    }
}
