package org.leno.internal.nn;

import java.util.function.Supplier;
import org.bytedeco.javacpp.Pointer;
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
    public <P extends Pointer> P keep(P pointer) {
        pointer.retainReference();
        scope.detach(pointer);
        return pointer;
    }

    /**
     * Takes {@code pointer} out of the innermost open scope, if any, so that it outlives it. (A
     * scope's detach also drops the reference its attach took, which would free the object: one
     * more reference is taken first.)
     */
    public static <P extends Pointer> P escape(P pointer) {
        PointerScope inner = PointerScope.getInnerScope();
        if (inner != null) {
            pointer.retainReference();
            inner.detach(pointer);
        }
        return pointer;
    }

    /**
     * Runs {@code body} in a scope of its own, so that every native object it creates is freed when
     * it returns, except its result: the caller owns that one reference and must {@code close()} it
     * or {@link #adopt} it. (A result made outside the scope, such as an input passed through, just
     * gains a reference.)
     */
    public static <P extends Pointer> P owned(Supplier<P> body) {
        P result;
        try (NativeScope inner = open()) {
            result = body.get();
            result.retainReference();
        }
        return result;
    }

    /** Hands an {@link #owned} object to the innermost open scope (without one, to the garbage collector). */
    public static <P extends Pointer> P adopt(P pointer) {
        PointerScope inner = PointerScope.getInnerScope();
        if (inner != null) {
            inner.attach(pointer);
            pointer.releaseReference();
        }
        return pointer;
    }

    @Override
    public void close() {
        scope.close();
    }
}
