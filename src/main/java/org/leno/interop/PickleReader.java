package org.leno.interop;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler for what torch.save writes for state dicts and checkpoints. It builds
 * only plain containers, numbers, strings, OrderedDicts and tensors; any other global is refused
 * with an error naming it, so reading a file never runs code.
 */
public final class PickleReader {

    /** Supplies the bytes of the storage a persistent id names. */
    @FunctionalInterface
    public interface StorageSource {
        byte[] storage(String key, DType dtype, long numel);
    }

    private record Global(String module, String name) {
        String qualified() { return module + "." + name; }
    }

    private record StorageRef(String key, DType dtype, byte[] data) {}

    private static final Object MARK = new Object();

    private final ByteBuffer in;
    private final String source;
    private final StorageSource storages;
    private final List<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, StorageRef> storageCache = new HashMap<>();

    private PickleReader(byte[] pickle, String source, StorageSource storages) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.storages = storages;
    }

    /** Reads one pickled object; {@code source} names the file in error messages. */
    public static Object read(byte[] pickle, String source, StorageSource storages) {
        try {
            return new PickleReader(pickle, source, storages).run();
        } catch (java.nio.BufferUnderflowException | IndexOutOfBoundsException
                 | java.util.NoSuchElementException | ClassCastException e) {
            throw new InterchangeException(source + ": malformed pickle (" + e + ")");
        }
    }

    private Object run() {
        while (true) {
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> marks.push(stack.size()); // MARK
                case '}' -> push(new LinkedHashMap<>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(PyTuple.of());
                case 0x8f -> push(new ArrayList<>()); // EMPTY_SET, read as a list
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> push((long) in.getInt());
                case 'K' -> push((long) (in.get() & 0xff));
                case 'M' -> push((long) (in.getShort() & 0xffff));
                case 0x8a -> push(readLong1()); // LONG1
                case 'G' -> { // BINFLOAT, big-endian
                    push(in.order(ByteOrder.BIG_ENDIAN).getDouble());
                    in.order(ByteOrder.LITTLE_ENDIAN);
                }
                case 'X' -> push(readString(in.getInt() & 0xffffffffL)); // BINUNICODE
                case 0x8c -> push(readString(in.get() & 0xff)); // SHORT_BINUNICODE
                case 0x8d -> push(readString(in.getLong())); // BINUNICODE8
                case 'T' -> push(readString(in.getInt() & 0xffffffffL)); // BINSTRING
                case 'U' -> push(readString(in.get() & 0xff)); // SHORT_BINSTRING
                case 'B' -> push(readBytes(in.getInt() & 0xffffffffL)); // BINBYTES
                case 'C' -> push(readBytes(in.get() & 0xff)); // SHORT_BINBYTES
                case 0x85 -> push(PyTuple.of(pop()));
                case 0x86 -> {
                    Object b = pop();
                    Object a = pop();
                    push(PyTuple.of(a, b));
                }
                case 0x87 -> {
                    Object c = pop();
                    Object b = pop();
                    Object a = pop();
                    push(PyTuple.of(a, b, c));
                }
                case 't' -> push(new PyTuple(popMark()));
                case 'l' -> push(new ArrayList<>(popMark()));
                case 'd' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> m = new LinkedHashMap<>();
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                    push(m);
                }
                case 'a' -> {
                    Object v = pop();
                    asList(peek()).add(v);
                }
                case 'e' -> {
                    List<Object> items = popMark();
                    asList(peek()).addAll(items);
                }
                case 0x90 -> { // ADDITEMS
                    List<Object> items = popMark();
                    asList(peek()).addAll(items);
                }
                case 's' -> {
                    Object v = pop();
                    Object k = pop();
                    asMap(peek()).put(k, v);
                }
                case 'u' -> {
                    List<Object> items = popMark();
                    Map<Object, Object> m = asMap(peek());
                    for (int i = 0; i + 1 < items.size(); i += 2) {
                        m.put(items.get(i), items.get(i + 1));
                    }
                }
                case 'q' -> memo.put((long) (in.get() & 0xff), peek()); // BINPUT
                case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek()); // LONG_BINPUT
                case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
                case 'j' -> push(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
                case 'c' -> push(global(readLine(), readLine())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    String name = (String) pop();
                    String module = (String) pop();
                    push(global(module, name));
                }
                case 'R' -> { // REDUCE
                    PyTuple args = (PyTuple) pop();
                    Object callable = pop();
                    push(call(callable, args.items()));
                }
                case 0x81 -> { // NEWOBJ
                    PyTuple args = (PyTuple) pop();
                    Object cls = pop();
                    push(call(cls, args.items()));
                }
                case 'b' -> { // BUILD: only state of an OrderedDict (its _metadata) is accepted, and dropped
                    Object state = pop();
                    Object target = peek();
                    if (!(target instanceof OrderedDict) && !(target instanceof TensorData)) {
                        throw new InterchangeException(source + ": refusing to set the state of a "
                                + typeName(target) + " (only state dicts and tensors are read)");
                    }
                    if (state != null && !(state instanceof Map) && !(state instanceof PyTuple)) {
                        throw new InterchangeException(source + ": unexpected state " + typeName(state));
                    }
                }
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case '0' -> pop();
                case '2' -> push(peek());
                case '1' -> popMark();
                default -> throw new InterchangeException(String.format(
                        "%s: unsupported pickle opcode 0x%02x at byte %d", source, op, in.position() - 1));
            }
        }
    }

    private Object global(String module, String name) {
        Global g = new Global(module, name);
        boolean allowed = switch (g.qualified()) {
            case "collections.OrderedDict", "torch._utils._rebuild_tensor_v2",
                 "torch._utils._rebuild_parameter" -> true;
            default -> module.equals("torch") && DType.fromTorchStorage(name).isPresent();
        };
        if (!allowed) {
            throw new InterchangeException(source + ": refusing to load global '" + g.qualified()
                    + "': only tensors, state dicts and plain containers are read");
        }
        return g;
    }

    private Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Global g)) {
            throw new InterchangeException(source + ": refusing to call a " + typeName(callable));
        }
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                OrderedDict d = new OrderedDict();
                if (!args.isEmpty() && args.get(0) instanceof List<?> pairs) {
                    for (Object p : pairs) {
                        PyTuple t = (PyTuple) p;
                        d.put(t.get(0), t.get(1));
                    }
                }
                return d;
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                return rebuildTensor((StorageRef) args.get(0), toLong(args.get(1)), longs(args.get(2)),
                        longs(args.get(3)));
            }
            case "torch._utils._rebuild_parameter" -> {
                return args.get(0);
            }
            default -> throw new InterchangeException(source + ": refusing to call '" + g.qualified() + "'");
        }
    }

    private Object persistentLoad(Object pid) {
        if (!(pid instanceof PyTuple t) || t.size() < 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof Global type)) {
            throw new InterchangeException(source + ": unsupported persistent id " + pid);
        }
        String key = String.valueOf(t.get(2));
        if (!key.matches("[A-Za-z0-9_]{1,64}")) {
            throw new InterchangeException(source + ": refusing storage key '" + key + "'");
        }
        DType dtype = DType.fromTorchStorage(type.name())
                .orElseThrow(() -> new InterchangeException(source + ": unsupported storage " + type.name()));
        long numel = toLong(t.get(4));
        return storageCache.computeIfAbsent(key, k -> {
            byte[] data = storages.storage(k, dtype, numel);
            if (data.length < numel * dtype.size()) {
                throw new InterchangeException(source + ": storage " + k + " holds " + data.length
                        + " bytes, its header says " + numel * dtype.size());
            }
            return new StorageRef(k, dtype, data);
        });
    }

    private TensorData rebuildTensor(StorageRef storage, long offset, long[] size, long[] stride) {
        int es = storage.dtype().size();
        long numel = TensorData.numel(size);
        byte[] out = new byte[Math.toIntExact(numel * es)];
        long[] index = new long[size.length];
        long storageElems = storage.data().length / es;
        for (long i = 0; i < numel; i++) {
            long pos = offset;
            for (int d = 0; d < size.length; d++) {
                pos += index[d] * stride[d];
            }
            if (pos < 0 || pos >= storageElems) {
                throw new InterchangeException(source + ": tensor view reaches outside storage " + storage.key());
            }
            System.arraycopy(storage.data(), (int) (pos * es), out, (int) (i * es), es);
            for (int d = size.length - 1; d >= 0; d--) {
                if (++index[d] < size[d]) {
                    break;
                }
                index[d] = 0;
            }
        }
        return new TensorData(storage.dtype(), size, out);
    }

    private static long[] longs(Object tuple) {
        return ((PyTuple) tuple).items().stream().mapToLong(PickleReader::toLong).toArray();
    }

    private static long toLong(Object o) {
        return ((Number) o).longValue();
    }

    private Object readLong1() {
        int n = in.get() & 0xff;
        if (n > 8) {
            throw new InterchangeException(source + ": integer of " + n + " bytes is too large");
        }
        byte[] b = new byte[n];
        in.get(b);
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (b[i] & 0xff);
        }
        if (n > 0 && n < 8 && (b[n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n);
        }
        return v;
    }

    private byte[] readBytes(long n) {
        if (n > in.remaining()) {
            throw new InterchangeException(source + ": truncated pickle");
        }
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private String readString(long n) {
        return new String(readBytes(n), StandardCharsets.UTF_8);
    }

    private String readLine() {
        StringBuilder b = new StringBuilder();
        byte c;
        while ((c = in.get()) != '\n') {
            b.append((char) c);
        }
        return b.toString();
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw new InterchangeException(source + ": pickle refers to missing memo " + key);
        }
        return memo.get(key);
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop() {
        if (stack.isEmpty()) {
            throw new InterchangeException(source + ": pickle stack is empty");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() {
        if (stack.isEmpty()) {
            throw new InterchangeException(source + ": pickle stack is empty");
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark() {
        int mark = marks.pop();
        List<Object> tail = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o) {
        if (o instanceof List<?> l) {
            return (List<Object>) l;
        }
        throw new InterchangeException(source + ": expected a list, found " + typeName(o));
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw new InterchangeException(source + ": expected a dict, found " + typeName(o));
    }

    private static String typeName(Object o) {
        if (o instanceof Global g) {
            return "global " + g.qualified();
        }
        return o == null ? "None" : o.getClass().getSimpleName();
    }

}
