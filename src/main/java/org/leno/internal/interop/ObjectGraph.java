package org.leno.internal.interop;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what a pickle built and turns its tensor views into tensors, without recursion: a
 * container that holds itself, or nesting deeper than {@link #MAX_DEPTH}, is refused naming the
 * path to it; each object is visited once however often it is shared; each view is materialised
 * once, within the limit for its name.
 */
final class ObjectGraph {
    static final int MAX_DEPTH = 100;
    private static final Object PENDING = new Object();

    private final String source;
    private final ReadBudget budget;
    private final Map<Object, Object> done = new IdentityHashMap<>();
    private final Set<Object> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private final Deque<Frame> stack = new ArrayDeque<>();

    private ObjectGraph(String source, ReadBudget budget) {
        this.source = source;
        this.budget = budget;
    }

    /** {@code root} with every tensor view replaced by a {@link TensorData}. */
    static Object resolve(Object root, String source, ReadBudget budget) {
        return new ObjectGraph(source, budget).run(root);
    }

    private Object run(Object root) {
        Object first = visit(root, null, null);
        if (first != PENDING) {
            return first;
        }
        Object result = null;
        while (!stack.isEmpty()) {
            Frame f = stack.peek();
            if (f.hasNext()) {
                Object label = f.nextLabel();
                Object r = visit(f.nextChild(), f, label);
                if (r != PENDING) {
                    f.accept(r);
                }
            } else {
                stack.pop();
                Object replacement = f.finish();
                open.remove(f.node);
                done.put(f.node, replacement);
                if (stack.isEmpty()) {
                    result = replacement;
                } else {
                    stack.peek().accept(replacement);
                }
            }
        }
        return result;
    }

    /** The child's replacement, or PENDING when a frame was pushed for it. */
    private Object visit(Object child, Frame parent, Object label) {
        if (done.containsKey(child)) {
            return done.get(child);
        }
        if (child instanceof TensorView v) {
            TensorData t = materialise(v, parent, label);
            done.put(child, t);
            return t;
        }
        if (!(child instanceof Map || child instanceof List || child instanceof PyTuple)) {
            return child;
        }
        if (open.contains(child)) {
            throw new InterchangeException(source + ": " + path(parent, label) + " contains itself (a cyclic structure)");
        }
        int depth = parent == null ? 0 : parent.depth + 1;
        if (depth > MAX_DEPTH) {
            throw new InterchangeException(source + ": " + path(parent, label) + " is nested more than "
                    + MAX_DEPTH + " levels deep");
        }
        budget.charge(64, "checking the pickle's objects");
        open.add(child);
        stack.push(new Frame(child, parent, label, depth));
        return PENDING;
    }

    private TensorData materialise(TensorView v, Frame parent, Object label) {
        ReadLimits.ViewCap cap = budget.limits().viewCap(label instanceof String s ? s : null);
        return v.materialise(source, "tensor " + path(parent, label), cap.bytes(), cap.why(), budget);
    }

    /** A path such as {@code state_dict['conv1.weight']} or {@code optimizer['state'][3]}. */
    private static String path(Frame parent, Object label) {
        List<Object> labels = new ArrayList<>();
        labels.add(label);
        for (Frame f = parent; f != null; f = f.parent) {
            labels.add(f.label);
        }
        Collections.reverse(labels);
        StringBuilder b = new StringBuilder();
        for (Object l : labels) {
            if (l == null) {
                continue;
            }
            if (b.length() == 0 && l instanceof String s) {
                b.append(InterchangeException.printable(s));
            } else if (l instanceof String s) {
                b.append("['").append(InterchangeException.printable(s)).append("']");
            } else {
                b.append('[').append(PickleReader.describe(l)).append(']');
            }
        }
        return b.length() == 0 ? "the top-level object" : b.toString();
    }

    /** One container being walked: its children in order, and where their replacements go. */
    private static final class Frame {
        final Object node;
        final Frame parent;
        final Object label;
        final int depth;
        private final Iterator<?> children;
        private final List<Object> tupleItems;
        private Map.Entry<Object, Object> entry;
        private int index = -1;
        private boolean changed;

        @SuppressWarnings("unchecked")
        Frame(Object node, Frame parent, Object label, int depth) {
            this.node = node;
            this.parent = parent;
            this.label = label;
            this.depth = depth;
            if (node instanceof Map<?, ?> m) {
                children = ((Map<Object, Object>) m).entrySet().iterator();
            } else if (node instanceof List<?> l) {
                children = l.iterator();
            } else {
                children = ((PyTuple) node).items().iterator();
            }
            tupleItems = node instanceof PyTuple ? new ArrayList<>() : null;
        }

        boolean hasNext() {
            return children.hasNext();
        }

        /** Advances to the next child and returns its label (a dict key or a list index). */
        @SuppressWarnings("unchecked")
        Object nextLabel() {
            index++;
            if (node instanceof Map) {
                entry = (Map.Entry<Object, Object>) children.next();
                return entry.getKey();
            }
            return (long) index;
        }

        Object nextChild() {
            if (node instanceof Map) {
                return entry.getValue();
            }
            return children.next();
        }

        @SuppressWarnings("unchecked")
        void accept(Object replacement) {
            if (node instanceof Map) {
                if (entry.getValue() != replacement) {
                    entry.setValue(replacement);
                }
            } else if (node instanceof List<?> l) {
                if (l.get(index) != replacement) {
                    ((List<Object>) l).set(index, replacement);
                }
            } else {
                changed |= ((PyTuple) node).get(index) != replacement;
                tupleItems.add(replacement);
            }
        }

        Object finish() {
            return changed ? new PyTuple(tupleItems) : node;
        }
    }
}
