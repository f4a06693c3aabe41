package org.leno.internal.interop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/** A Python tuple read from or written to a pickle (items may be null for None). */
public record PyTuple(List<Object> items) {
    public PyTuple {
        items = Collections.unmodifiableList(new ArrayList<>(items));
    }

    public static PyTuple of(Object... items) {
        return new PyTuple(Arrays.asList(items));
    }

    public Object get(int i) { return items.get(i); }

    public int size() { return items.size(); }
}
