package org.leno.internal.nn;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.EdgeVector;
import org.bytedeco.pytorch.FunctionPostHook;
import org.bytedeco.pytorch.FunctionPreHook;
import org.bytedeco.pytorch.Node;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * Where the time of training steps goes, by phase and operator. Forward operators are timed by
 * the layers around each libtorch call (our names, those of the aten ops); backward operators are
 * libtorch's own autograd nodes ({@code ConvolutionBackward0}, {@code AccumulateGrad}, ...),
 * timed by a pre- and a post-hook on every node of the step's graph, so the time between the two
 * is the node's own work. What a phase spends outside its operators (Java, scopes, the autograd
 * engine's gradient sums between nodes) is the phase's time minus its operators'.
 *
 * <p>libtorch's profiler itself ({@code torch::autograd::profiler}) is not reachable through the
 * JavaCPP presets: they map its configuration but not the calls that start and stop it.
 *
 * <p>One thread: the step's, which on the CPU also runs backward. A disabled profile ({@link
 * #none()}) records nothing and costs a field read per call.
 */
public final class OpProfile {
    /** One operator's (or one phase remainder's) time, summed over the recorded steps. */
    public record Row(String phase, String operator, long calls, long nanos, boolean remainder) {}

    private static final class Total {
        long calls;
        long nanos;
    }

    private final boolean enabled;
    private final Map<String, Map<String, Total>> operators = new LinkedHashMap<>();
    private final Map<String, Long> phases = new LinkedHashMap<>();
    /** Backward nodes of this step whose forward operator gave them a more telling name. */
    private final Map<Long, String> nodeLabels = new HashMap<>();
    /** The hook objects: libtorch owns their C++ side, which calls back into these. */
    private final List<Object> hooks = new ArrayList<>();
    private long lapStart;
    private long stepStart;
    private long stepNanos;
    private long profilerNanos;
    private int steps;

    private OpProfile(boolean enabled) {
        this.enabled = enabled;
    }

    /** A profile that records nothing. */
    public static OpProfile none() {
        return new OpProfile(false);
    }

    public static OpProfile recording() {
        return new OpProfile(true);
    }

    public boolean enabled() { return enabled; }

    /** The start of an operator call: pass it to {@link #forward}. */
    public long start() {
        return enabled ? System.nanoTime() : 0;
    }

    /** Records a forward operator that started at {@code start} and returns its result. */
    public Tensor forward(String operator, long start, Tensor result) {
        record("forward", operator, start);
        return result;
    }

    /**
     * Records a forward operator as {@link #forward} does, and names its backward node after it
     * ({@code ConvolutionBackward0 3x3 stride 2} rather than one row for every convolution).
     */
    public Tensor forwardNamed(String operator, long start, Tensor result) {
        if (enabled) {
            add("forward", operator, System.nanoTime() - start);
            Node node = result.grad_fn();
            if (node != null && !node.isNull()) {
                nodeLabels.put(node.address(), operator.substring(operator.indexOf(' ') + 1));
            }
        }
        return result;
    }

    /** Records one call of {@code operator} in {@code phase} that started at {@code start}. */
    public void record(String phase, String operator, long start) {
        if (enabled) {
            add(phase, operator, System.nanoTime() - start);
        }
    }

    public void beginStep() {
        if (enabled) {
            nodeLabels.clear();
            stepStart = System.nanoTime();
            lapStart = stepStart;
        }
    }

    /** Adds the time since the last lap (or the step's start) to {@code phase}. */
    public void lap(String phase) {
        if (enabled) {
            long now = System.nanoTime();
            phases.merge(phase, now - lapStart, Long::sum);
            lapStart = now;
        }
    }

    /** Ends a step, its last lap (since the previous one) going to {@code phase}. */
    public void endStep(String phase) {
        if (enabled) {
            lap(phase);
            stepNanos += lapStart - stepStart;
            steps++;
        }
    }

    /**
     * Hooks every node of the autograd graph that ends in {@code root}, so that backward records
     * each node's time under its libtorch name. The time this walk takes is the profiler's own
     * and is left out of the step and of every phase.
     */
    public void hookBackward(Tensor root) {
        if (!enabled) {
            return;
        }
        long begin = System.nanoTime();
        Deque<Node> todo = new ArrayDeque<>();
        Set<Long> seen = new HashSet<>();
        push(todo, root.grad_fn());
        while (!todo.isEmpty()) {
            Node node = todo.poll();
            if (!seen.add(node.address())) {
                continue;
            }
            hook(node);
            EdgeVector edges = node.next_edges();
            for (long i = 0; i < edges.size(); i++) {
                push(todo, edges.get(i).function());
            }
        }
        long spent = System.nanoTime() - begin;
        profilerNanos += spent;
        lapStart += spent;
        stepStart += spent;
    }

    /** Queues a node; an edge to nothing (an input that needs no gradient) has a null one. */
    private static void push(Deque<Node> todo, Node node) {
        if (node != null && !node.isNull()) {
            todo.add(node);
        }
    }

    private void hook(Node node) {
        String label = nodeLabels.get(node.address());
        String name = node.name().getString().replace("torch::autograd::", "") + (label == null ? "" : " " + label);
        long[] started = new long[1];
        FunctionPreHook pre = new FunctionPreHook() {
            @Override
            public TensorVector apply(TensorVector gradients) {
                started[0] = System.nanoTime();
                return gradients;
            }
        };
        FunctionPostHook post = new FunctionPostHook() {
            @Override
            public TensorVector apply(TensorVector outputs, TensorVector inputs) {
                add("backward", name, System.nanoTime() - started[0]);
                return outputs;
            }
        };
        hooks.add(pre);
        hooks.add(post);
        // the node takes ownership of the C++ objects (the Java handles become null)
        node.add_pre_hook(pre);
        node.add_post_hook(post);
    }

    private void add(String phase, String operator, long nanos) {
        Total t = operators.computeIfAbsent(phase, p -> new LinkedHashMap<>()).computeIfAbsent(operator, o -> new Total());
        t.calls++;
        t.nanos += nanos;
    }

    /** Steps recorded (between {@link #beginStep} and {@link #endStep}). */
    public int steps() { return steps; }

    /** The recorded steps' time, without the profiler's own (hooking the graph). */
    public long stepNanos() { return stepNanos; }

    /** The profiler's own time (walking and hooking the graphs), left out of the steps. */
    public long profilerNanos() { return profilerNanos; }

    /** Time of each phase (sum of its laps), in the order phases were first seen. */
    public Map<String, Long> phaseNanos() { return Map.copyOf(phases); }

    /**
     * Per phase, its operators (slowest first) and then what the phase spent outside them, as one
     * row marked {@code remainder}. Phases with laps come in the order they were first seen.
     */
    public List<Row> rows() {
        List<Row> rows = new ArrayList<>();
        List<String> order = new ArrayList<>(phases.keySet());
        operators.keySet().stream().filter(p -> !order.contains(p)).forEach(order::add);
        for (String phase : order) {
            long inside = 0;
            List<Row> ops = new ArrayList<>();
            for (Map.Entry<String, Total> e : operators.getOrDefault(phase, Map.of()).entrySet()) {
                ops.add(new Row(phase, e.getKey(), e.getValue().calls, e.getValue().nanos, false));
                inside += e.getValue().nanos;
            }
            ops.sort((a, b) -> Long.compare(b.nanos(), a.nanos()));
            rows.addAll(ops);
            if (phases.containsKey(phase)) {
                rows.add(new Row(phase, ops.isEmpty() ? "(whole phase)" : "(outside operators)", steps,
                        phases.get(phase) - inside, true));
            }
        }
        return rows;
    }
}
