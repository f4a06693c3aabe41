package org.leno.internal.interop;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes the pickle (protocol 2) that torch.save writes: Python containers, numbers and strings,
 * with each tensor as a {@code torch._utils._rebuild_tensor_v2} call on a storage stored apart.
 */
public final class PickleWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<HostTensor> storages = new ArrayList<>();

    private PickleWriter() {
    }

    /** The pickle bytes and the storages its persistent ids name ("0", "1", ... in order). */
    public record Pickled(byte[] pickle, List<HostTensor> storages) {}

    public static Pickled write(Object root) {
        PickleWriter w = new PickleWriter();
        w.out.write(0x80);
        w.out.write(2);
        w.value(root);
        w.out.write('.');
        return new Pickled(w.out.toByteArray(), w.storages);
    }

    private void value(Object o) {
        if (o == null) {
            out.write('N');
        } else if (o instanceof Boolean b) {
            out.write(b ? 0x88 : 0x89);
        } else if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
            integer(((Number) o).longValue());
        } else if (o instanceof Double || o instanceof Float) {
            out.write('G');
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN)
                    .putDouble(((Number) o).doubleValue()).array());
        } else if (o instanceof String s) {
            string(s);
        } else if (o instanceof HostTensor t) {
            tensor(t);
        } else if (o instanceof PyTuple t) {
            out.write('(');
            t.items().forEach(this::value);
            out.write('t');
        } else if (o instanceof List<?> l) {
            out.write(']');
            if (!l.isEmpty()) {
                out.write('(');
                l.forEach(this::value);
                out.write('e');
            }
        } else if (o instanceof OrderedDict d) {
            global("collections", "OrderedDict");
            out.write(')');
            out.write('R');
            setItems(d);
        } else if (o instanceof Map<?, ?> m) {
            out.write('}');
            setItems(m);
        } else {
            throw new IllegalArgumentException("cannot pickle a " + o.getClass().getName());
        }
    }

    private void setItems(Map<?, ?> m) {
        if (m.isEmpty()) {
            return;
        }
        out.write('(');
        for (Map.Entry<?, ?> e : m.entrySet()) {
            value(e.getKey());
            value(e.getValue());
        }
        out.write('u');
    }

    private void tensor(HostTensor t) {
        global("torch._utils", "_rebuild_tensor_v2");
        out.write('(');
        // persistent id: ('storage', torch.<Type>Storage, key, 'cpu', numel)
        out.write('(');
        string("storage");
        global("torch", t.dtype().torchStorage());
        string(Integer.toString(storages.size()));
        string("cpu");
        integer(t.numel());
        out.write('t');
        out.write('Q');
        storages.add(t);
        integer(0);
        long[] shape = t.shape();
        value(new PyTuple(java.util.Arrays.stream(shape).boxed().map(x -> (Object) x).toList()));
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= shape[i];
        }
        value(new PyTuple(java.util.Arrays.stream(stride).boxed().map(x -> (Object) x).toList()));
        out.write(0x89); // requires_grad False
        global("collections", "OrderedDict");
        out.write(')');
        out.write('R');
        out.write('t');
        out.write('R');
    }

    private void global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    private void string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(b.length).array());
        out.writeBytes(b);
    }

    private void integer(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array());
        } else {
            out.write(0x8a);
            out.write(8);
            out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }
    }
}
