package org.leno.internal.nn;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Module;

/**
 * A module that keeps a strong Java reference to every child it registers. The bindings need
 * this: when the Java object of a registered module is garbage-collected, libtorch's copy is
 * left dangling, and the next {@code train()}/{@code eval()} or forward crashes the JVM. So every
 * module this project creates is registered through {@link #add}, and a model stays intact for
 * as long as its root object is reachable.
 */
public class Container extends Module {
    private final List<Module> children = new ArrayList<>();

    public Container(String name) {
        super(name);
    }

    public final <M extends Module> M add(String name, M child) {
        children.add(child);
        return register_module(name, child);
    }
}
