package org.leno.internal.interop;

import java.util.LinkedHashMap;
import java.util.Map;

/** Python's collections.OrderedDict: written as such, so PyTorch sees the type its state dicts have. */
public final class OrderedDict extends LinkedHashMap<Object, Object> {
    public OrderedDict() {
    }

    public OrderedDict(Map<?, ?> m) {
        super(m);
    }
}
