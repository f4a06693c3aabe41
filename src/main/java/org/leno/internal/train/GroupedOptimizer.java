package org.leno.internal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.TensorData;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.OptimizerKernels;
import org.leno.internal.nn.Tensors;

/**
 * What SGD and AdamW share: parameter groups, per-parameter state tensors kept outside every step's
 * native scope, and PyTorch's state_dict layout (state by parameter index across the groups in
 * order, one param_groups entry per group), read back with every index, key and shape checked.
 */
abstract class GroupedOptimizer implements Optimizer {
    private final List<ParamGroup> groups;
    private final List<Tensor> params;
    private final int[] groupOf;
    private final List<Map<String, Tensor>> state = new ArrayList<>();
    private double lr;

    GroupedOptimizer(List<ParamGroup> groups, double lr) {
        this.groups = List.copyOf(groups);
        this.params = ParamGroup.flatten(groups);
        this.groupOf = new int[params.size()];
        int i = 0;
        for (int g = 0; g < groups.size(); g++) {
            for (int k = 0; k < groups.get(g).params().size(); k++) {
                groupOf[i++] = g;
            }
        }
        for (int k = 0; k < params.size(); k++) {
            state.add(new LinkedHashMap<>());
        }
        this.lr = lr;
    }

    /** One parameter's update; {@code state} holds its state tensors (empty before its first step). */
    abstract void update(Tensor param, Tensor grad, Map<String, Tensor> state, ParamGroup group, int index);

    /** The group's hyper-parameters as PyTorch writes them, without lr and params. */
    abstract Map<String, Object> hyperParameters(ParamGroup group);

    /** The names of a parameter's state tensors, in PyTorch's order. */
    abstract List<String> stateKeys();

    /**
     * Updates the parameters at {@code indices} (of one group, each with a gradient) in one call, and
     * says whether it did; without such a kernel each parameter goes through {@link #update}.
     */
    boolean updateGroup(ParamGroup group, List<Integer> indices) {
        return false;
    }

    @Override
    public void step() {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            int first = 0;
            for (ParamGroup group : groups) {
                List<Integer> withGrad = new ArrayList<>();
                for (int i = first; i < first + group.params().size(); i++) {
                    if (params.get(i).grad().defined()) {
                        withGrad.add(i);
                    }
                }
                first += group.params().size();
                if (!updateGroup(group, withGrad)) {
                    for (int i : withGrad) {
                        // one scope per parameter: its temporaries are freed before the next parameter's, as in PyTorch
                        try (NativeScope perParameter = NativeScope.open()) {
                            update(params.get(i), params.get(i).grad(), state.get(i), group, i);
                        }
                    }
                }
            }
        }
    }

    /**
     * Whether each parameter at {@code indices} has its gradient and its state tensors named
     * {@code keys} (those it has yet) laid out as itself, as the fused kernels need.
     */
    boolean laidOutAlike(List<Integer> indices, List<String> keys) {
        for (int i : indices) {
            Tensor p = params.get(i);
            if (!OptimizerKernels.sameLayout(p, p.grad())) {
                return false;
            }
            for (String key : keys) {
                Tensor t = state.get(i).get(key);
                if (t != null && !OptimizerKernels.sameLayout(p, t)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** Parameter {@code i}'s state tensors (empty before its first step). */
    Map<String, Tensor> state(int i) {
        return state.get(i);
    }

    /** A tensor that outlives the step's scope, as optimizer state must. */
    static Tensor keep(Tensor t) {
        return NativeScope.escape(t);
    }

    @Override
    public void setLr(double lr) { this.lr = lr; }

    @Override
    public double lr() { return lr; }

    @Override
    public List<Tensor> params() { return params; }

    List<ParamGroup> groups() { return groups; }

    @Override
    public Map<String, Object> stateDict() {
        Map<Object, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < params.size(); i++) {
            if (!state.get(i).isEmpty()) {
                Map<String, Object> s = new LinkedHashMap<>();
                state.get(i).forEach((k, v) -> s.put(k, Tensors.lazy(v)));
                out.put((long) i, s);
            }
        }
        List<Object> groupList = new ArrayList<>();
        int first = 0;
        for (ParamGroup g : groups) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("lr", lr);
            entry.putAll(hyperParameters(g));
            List<Object> ids = new ArrayList<>();
            for (int k = 0; k < g.params().size(); k++) {
                ids.add((long) (first + k));
            }
            first += g.params().size();
            entry.put("params", ids);
            groupList.add(entry);
        }
        Map<String, Object> sd = new LinkedHashMap<>();
        sd.put("state", out);
        sd.put("param_groups", groupList);
        return sd;
    }

    @Override
    public void loadStateDict(Map<?, ?> stateDict, String source) {
        if (!(stateDict.get("state") instanceof Map<?, ?> saved)) {
            throw new InterchangeException(source + ": optimizer state has no 'state' dict");
        }
        if (stateDict.get("param_groups") instanceof List<?> savedGroups && savedGroups.size() != groups.size()) {
            throw new InterchangeException(source + ": optimizer has " + savedGroups.size() + " parameter groups, this run "
                    + groups.size() + " (same --norm-weight-decay and --bias-weight-decay as the saved run?)");
        }
        List<Map<String, Tensor>> loaded = new ArrayList<>();
        for (int k = 0; k < params.size(); k++) {
            loaded.add(new LinkedHashMap<>());
        }
        for (Map.Entry<?, ?> e : saved.entrySet()) {
            int i = index(e.getKey(), source);
            if (!(e.getValue() instanceof Map<?, ?> entry)) {
                throw new InterchangeException(source + ": optimizer state " + i + " is not a dict");
            }
            for (String key : stateKeys()) {
                if (!(entry.get(key) instanceof HostTensor h)) {
                    throw new InterchangeException(source + ": optimizer state " + i + " has no tensor '" + key
                            + "' (a checkpoint of another optimizer?)");
                }
                loaded.get(i).put(key, restore(TensorData.copyOf(h), i, key, source));
            }
        }
        for (int i = 0; i < params.size(); i++) {
            state.get(i).clear();
            state.get(i).putAll(loaded.get(i));
        }
    }

    private int index(Object key, String source) {
        if (!(key instanceof Long || key instanceof Integer)) {
            throw new InterchangeException(source + ": optimizer state key " + InterchangeException.printable(String.valueOf(key))
                    + " is not a parameter index");
        }
        long i = ((Number) key).longValue();
        if (i < 0 || i >= params.size()) {
            throw new InterchangeException(source + ": optimizer state for parameter " + i + ", the model has " + params.size());
        }
        return (int) i;
    }

    /** A saved state tensor, checked against its parameter and moved to the parameter's device and dtype. */
    private Tensor restore(TensorData t, int i, String key, String source) {
        long[] want = key.equals("step") ? new long[0] : Tensors.shape(params.get(i));
        if (!java.util.Arrays.equals(t.shape(), want)) {
            throw new InterchangeException(source + ": optimizer " + key + " " + i + " is " + t.shapeText() + ", expected "
                    + TensorData.shapeText(want));
        }
        Tensor host = Tensors.fromHost(t);
        // laid out as the parameter (channels-last weights get channels-last state), as zeros_like
        // makes it in a fresh run: the fused kernels walk parameter, gradient and state in step
        return keep(key.equals("step") ? host.to(torch.ScalarType.Float) : torch.empty_like(params.get(i)).copy_(host));
    }
}
