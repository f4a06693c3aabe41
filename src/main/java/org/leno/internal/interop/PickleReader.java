package org.leno.internal.interop;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A restricted unpickler for what torch.save writes for state dicts and checkpoints. It builds
 * only plain containers, numbers, strings, OrderedDicts and tensors; any other global is refused
 * with an error naming it, so reading a file never runs code. It runs in a loop (no recursion),
 * charges what it builds to the read's {@link ReadBudget}, bounds its stack, memo and marks, and
 * hands back tensors as unchecked {@link TensorView}s for {@link ObjectGraph} to resolve.
 */
public final class PickleReader {

    /** Supplies the bytes of the storage a persistent id names. */
    @FunctionalInterface
    public interface StorageSource {
        byte[] storage(String key, DType dtype, long numel);
    }

    static final int MAX_STACK = 1 << 20;
    static final int MAX_MEMO = 1 << 20;
    static final int MAX_MARKS = 1 << 12;
    private static final int MAX_LINE = 256;
    /** Estimated heap bytes of what one opcode adds, charged to the budget. */
    private static final int SLOT = 16;
    private static final int CONTAINER = 64;
    private static final int ENTRY = 64;

    private record Global(String module, String name) {
        String qualified() { return module + "." + name; }
    }

    private final ByteBuffer in;
    private final String source;
    private final StorageSource storages;
    private final ReadBudget budget;
    private final List<Object> stack = new ArrayList<>();
    private final int[] marks = new int[MAX_MARKS];
    private int markCount;
    private final Map<Long, Object> memo = new HashMap<>();
    private final Map<String, TensorView.Storage> storageCache = new HashMap<>();
    private int opStart;

    private PickleReader(byte[] pickle, String source, StorageSource storages, ReadBudget budget) {
        this.in = ByteBuffer.wrap(pickle).order(ByteOrder.LITTLE_ENDIAN);
        this.source = source;
        this.storages = storages;
        this.budget = budget;
    }

    /** Reads one pickled object with the limits of a file of the pickle's size. */
    public static Object read(byte[] pickle, String source, StorageSource storages) {
        return read(pickle, source, storages, new ReadBudget(source, ReadLimits.forFile(pickle.length)));
    }

    /** Reads one pickled object; {@code source} names the file in error messages. */
    static Object read(byte[] pickle, String source, StorageSource storages, ReadBudget budget) {
        PickleReader r = new PickleReader(pickle, source, storages, budget);
        Object root;
        try {
            root = r.run();
        } catch (InterchangeException e) {
            throw e;
        } catch (BufferUnderflowException e) {
            throw new InterchangeException(source + ": truncated pickle (opcode at byte " + r.opStart + ")");
        } catch (RuntimeException e) {
            throw new InterchangeException(source + ": malformed pickle at byte " + r.opStart + " ("
                    + e.getClass().getSimpleName() + ")");
        }
        return ObjectGraph.resolve(root, source, budget);
    }

    private Object run() {
        while (true) {
            opStart = in.position();
            int op = in.get() & 0xff;
            switch (op) {
                case 0x80 -> in.get(); // PROTO
                case 0x95 -> in.getLong(); // FRAME
                case '.' -> { // STOP
                    return pop();
                }
                case '(' -> mark();
                case '}' -> pushNew(new LinkedHashMap<>(), CONTAINER);
                case ']', 0x8f -> pushNew(new ArrayList<>(), CONTAINER); // EMPTY_LIST, EMPTY_SET (read as a list)
                case ')' -> push(PyTuple.of());
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'J' -> pushNew((long) in.getInt(), SLOT);
                case 'K' -> pushNew((long) (in.get() & 0xff), SLOT);
                case 'M' -> pushNew((long) (in.getShort() & 0xffff), SLOT);
                case 0x8a -> pushNew(readLong1(), SLOT); // LONG1
                case 'G' -> { // BINFLOAT, big-endian
                    double d = in.order(ByteOrder.BIG_ENDIAN).getDouble();
                    in.order(ByteOrder.LITTLE_ENDIAN);
                    pushNew(d, SLOT);
                }
                case 'X', 'T' -> pushString(in.getInt() & 0xffffffffL); // BINUNICODE, BINSTRING
                case 0x8c, 'U' -> pushString(in.get() & 0xff); // SHORT_BINUNICODE, SHORT_BINSTRING
                case 0x8d -> pushString(in.getLong()); // BINUNICODE8
                case 'B' -> pushBytes(in.getInt() & 0xffffffffL); // BINBYTES
                case 'C' -> pushBytes(in.get() & 0xff); // SHORT_BINBYTES
                case 0x85, 0x86, 0x87 -> tupleOf(op - 0x84); // TUPLE1..3
                case 't' -> pushNew(new PyTuple(popMark()), CONTAINER); // TUPLE
                case 'l' -> pushNew(new ArrayList<>(popMark()), CONTAINER); // LIST
                case 'd' -> { // DICT
                    Map<Object, Object> m = new LinkedHashMap<>();
                    putAll(m, popMark());
                    pushNew(m, CONTAINER);
                }
                case 'a' -> { // APPEND
                    Object v = pop();
                    addAll(peek(), Collections.singletonList(v));
                }
                case 'e', 0x90 -> { // APPENDS, ADDITEMS
                    List<Object> items = popMark();
                    addAll(peek(), items);
                }
                case 's' -> { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    List<Object> pair = new ArrayList<>(2);
                    pair.add(k);
                    pair.add(v);
                    putAll(asMap(peek()), pair);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark();
                    putAll(asMap(peek()), items);
                }
                case 'q' -> memoPut(in.get() & 0xff); // BINPUT
                case 'r' -> memoPut(in.getInt() & 0xffffffffL); // LONG_BINPUT
                case 0x94 -> memoPut(memo.size()); // MEMOIZE
                case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
                case 'j' -> push(memoGet(in.getInt() & 0xffffffffL)); // LONG_BINGET
                case 'c' -> push(global(readLine(), readLine())); // GLOBAL
                case 0x93 -> { // STACK_GLOBAL
                    String name = string(pop(), "STACK_GLOBAL name");
                    String module = string(pop(), "STACK_GLOBAL module");
                    push(global(module, name));
                }
                case 'R', 0x81 -> { // REDUCE, NEWOBJ
                    PyTuple args = tuple(pop(), "arguments");
                    Object callable = pop();
                    push(call(callable, args.items()));
                }
                case 'b' -> build(pop(), peek());
                case 'Q' -> push(persistentLoad(pop())); // BINPERSID
                case '0' -> popOrMark(); // POP
                case '2' -> push(peek());
                case '1' -> popMark();
                default -> throw error(String.format("unsupported pickle opcode 0x%02x", op));
            }
        }
    }

    private InterchangeException error(String what) {
        return new InterchangeException(source + ": " + what + " at byte " + opStart);
    }

    /** BUILD: only the state of an OrderedDict (its _metadata) or a tensor is accepted, and dropped. */
    private void build(Object state, Object target) {
        if (!(target instanceof OrderedDict) && !(target instanceof TensorView)) {
            throw error("refusing to set the state of a " + typeName(target) + " (only state dicts and tensors are read)");
        }
        if (state != null && !(state instanceof Map) && !(state instanceof PyTuple)) {
            throw error("unexpected state " + typeName(state));
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
            throw new InterchangeException(source + ": refusing to load global '"
                    + InterchangeException.printable(g.qualified())
                    + "': only tensors, state dicts and plain containers are read");
        }
        return g;
    }

    private Object call(Object callable, List<Object> args) {
        if (!(callable instanceof Global g)) {
            throw error("refusing to call a " + typeName(callable));
        }
        switch (g.qualified()) {
            case "collections.OrderedDict" -> {
                OrderedDict d = new OrderedDict();
                budget.charge(CONTAINER, "the pickle's objects");
                if (!args.isEmpty() && args.get(0) instanceof List<?> pairs) {
                    List<Object> flat = new ArrayList<>();
                    for (Object p : pairs) {
                        PyTuple t = tuple(p, "OrderedDict item");
                        if (t.size() != 2) {
                            throw error("OrderedDict item of " + t.size() + " values");
                        }
                        flat.add(t.get(0));
                        flat.add(t.get(1));
                    }
                    putAll(d, flat);
                }
                return d;
            }
            case "torch._utils._rebuild_tensor_v2" -> {
                if (args.size() < 4 || !(args.get(0) instanceof TensorView.Storage storage)) {
                    throw error("_rebuild_tensor_v2 without a storage, offset, size and stride");
                }
                return new TensorView(storage, toLong(args.get(1), "storage offset"), longs(args.get(2), "size"),
                        longs(args.get(3), "stride"));
            }
            case "torch._utils._rebuild_parameter" -> {
                if (args.isEmpty() || !(args.get(0) instanceof TensorView v)) {
                    throw error("_rebuild_parameter without a tensor");
                }
                return v;
            }
            default -> throw error("refusing to call '" + g.qualified() + "'");
        }
    }

    private Object persistentLoad(Object pid) {
        if (!(pid instanceof PyTuple t) || t.size() < 5 || !"storage".equals(t.get(0))
                || !(t.get(1) instanceof Global type)) {
            throw error("unsupported persistent id (a " + typeName(pid) + ")");
        }
        String key = t.get(2) instanceof String s ? s : "";
        if (!key.matches("[A-Za-z0-9_]{1,64}")) {
            throw new InterchangeException(source + ": refusing storage key '"
                    + InterchangeException.printable(key.isEmpty() ? describe(t.get(2)) : key) + "'");
        }
        DType dtype = DType.fromTorchStorage(type.name())
                .orElseThrow(() -> error("unsupported storage " + InterchangeException.printable(type.name())));
        long numel = toLong(t.get(4), "storage size");
        if (numel < 0 || numel > Integer.MAX_VALUE / dtype.size()) {
            throw new InterchangeException(source + ": storage " + key + " claims " + numel + " elements");
        }
        TensorView.Storage cached = storageCache.get(key);
        if (cached != null) {
            return cached;
        }
        byte[] data = storages.storage(key, dtype, numel);
        if (data.length != numel * dtype.size()) {
            throw new InterchangeException(source + ": storage " + key + " holds " + data.length
                    + " bytes, its header says " + numel * dtype.size());
        }
        TensorView.Storage s = new TensorView.Storage(key, dtype, data);
        storageCache.put(key, s);
        return s;
    }

    private long[] longs(Object tuple, String what) {
        PyTuple t = tuple(tuple, what);
        if (t.size() > TensorView.MAX_DIMS) {
            throw error("tensor " + what + " of " + t.size() + " dimensions");
        }
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = toLong(t.get(i), what);
        }
        return out;
    }

    private long toLong(Object o, String what) {
        if (o instanceof Long l) {
            return l;
        }
        throw error("tensor " + what + " is a " + typeName(o) + ", not an integer");
    }

    private PyTuple tuple(Object o, String what) {
        if (o instanceof PyTuple t) {
            return t;
        }
        throw error(what + " is a " + typeName(o) + ", not a tuple");
    }

    private String string(Object o, String what) {
        if (o instanceof String s) {
            return s;
        }
        throw error(what + " is a " + typeName(o) + ", not a string");
    }

    private Object readLong1() {
        int n = in.get() & 0xff;
        if (n > 8) {
            throw error("integer of " + n + " bytes is too large");
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
        if (n < 0 || n > in.remaining()) {
            throw error("string or bytes of " + n + " bytes, more than the pickle holds");
        }
        budget.charge(n + 2 * SLOT, "the pickle's strings");
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    private void pushString(long n) {
        byte[] b = readBytes(n);
        budget.charge(n, "the pickle's strings");
        push(new String(b, StandardCharsets.UTF_8));
    }

    private void pushBytes(long n) {
        push(readBytes(n));
    }

    private String readLine() {
        StringBuilder b = new StringBuilder();
        byte c;
        while ((c = in.get()) != '\n') {
            if (b.length() >= MAX_LINE) {
                throw error("GLOBAL name longer than " + MAX_LINE + " bytes");
            }
            b.append((char) (c & 0xff));
        }
        return b.toString();
    }

    private void tupleOf(int n) {
        Object[] items = new Object[n];
        for (int i = n - 1; i >= 0; i--) {
            items[i] = pop();
        }
        pushNew(PyTuple.of(items), CONTAINER);
    }

    /** Dict keys must be hashable as in Python: scalars, or tuples of scalars (no lists, dicts or tensors). */
    private void putAll(Map<Object, Object> m, List<Object> items) {
        if (items.size() % 2 != 0) {
            throw error("dict items of odd count " + items.size());
        }
        budget.charge((long) items.size() / 2 * ENTRY, "the pickle's dicts");
        for (int i = 0; i < items.size(); i += 2) {
            Object key = items.get(i);
            if (!isHashable(key)) {
                throw error("dict key is a " + typeName(key) + " (unhashable)");
            }
            m.put(key, items.get(i + 1));
        }
    }

    private static boolean isHashable(Object key) {
        if (key instanceof PyTuple t) {
            return t.items().stream().allMatch(PickleReader::isScalar);
        }
        return isScalar(key);
    }

    private static boolean isScalar(Object o) {
        return o == null || o instanceof String || o instanceof Long || o instanceof Double || o instanceof Boolean;
    }

    @SuppressWarnings("unchecked")
    private void addAll(Object target, List<Object> items) {
        if (!(target instanceof List<?> l)) {
            throw error("appending to a " + typeName(target) + ", not a list");
        }
        budget.charge((long) items.size() * SLOT, "the pickle's lists");
        for (Object item : items) {
            ((List<Object>) l).add(item);
        }
    }

    private void memoPut(long key) {
        if (memo.size() >= MAX_MEMO && !memo.containsKey(key)) {
            throw error("more than " + MAX_MEMO + " memo entries");
        }
        budget.charge(ENTRY, "the pickle's memo");
        memo.put(key, peek());
    }

    private Object memoGet(long key) {
        if (!memo.containsKey(key)) {
            throw error("reference to missing memo entry " + key);
        }
        return memo.get(key);
    }

    private void pushNew(Object o, int cost) {
        budget.charge(cost, "the pickle's objects");
        push(o);
    }

    private void push(Object o) {
        if (stack.size() >= MAX_STACK) {
            throw error("pickle stack deeper than " + MAX_STACK);
        }
        budget.charge(SLOT, "the pickle's stack");
        stack.add(o);
    }

    private Object pop() {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw error("pickle stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    /** POP: as Python's, drops the top item, or the last mark when nothing is above it. */
    private void popOrMark() {
        if (markCount > 0 && stack.size() == marks[markCount - 1]) {
            markCount--;
        } else {
            pop();
        }
    }

    private Object peek() {
        int floor = markCount == 0 ? 0 : marks[markCount - 1];
        if (stack.size() <= floor) {
            throw error("pickle stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    private void mark() {
        if (markCount == MAX_MARKS) {
            throw error("more than " + MAX_MARKS + " nested marks");
        }
        marks[markCount++] = stack.size();
    }

    private List<Object> popMark() {
        if (markCount == 0) {
            throw error("pickle has no mark to pop");
        }
        int mark = marks[--markCount];
        List<Object> tail = stack.subList(mark, stack.size());
        List<Object> items = new ArrayList<>(tail);
        tail.clear();
        return items;
    }

    private Map<Object, Object> asMap(Object o) {
        if (o instanceof Map<?, ?> m) {
            @SuppressWarnings("unchecked")
            Map<Object, Object> cast = (Map<Object, Object>) m;
            return cast;
        }
        throw error("setting an item of a " + typeName(o) + ", not a dict");
    }

    static String typeName(Object o) {
        if (o instanceof Global g) {
            return "global " + InterchangeException.printable(g.qualified());
        }
        if (o instanceof TensorView) {
            return "tensor";
        }
        if (o instanceof TensorView.Storage) {
            return "storage";
        }
        return o == null ? "None" : o.getClass().getSimpleName();
    }

    /** A short description of a value from a file: scalars as they are, containers by type only. */
    static String describe(Object o) {
        if (o instanceof String s) {
            return "'" + InterchangeException.printable(s) + "'";
        }
        if (o == null || o instanceof Number || o instanceof Boolean) {
            return String.valueOf(o);
        }
        return typeName(o);
    }
}
