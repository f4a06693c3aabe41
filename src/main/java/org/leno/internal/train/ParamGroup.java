package org.leno.internal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.nn.StateDict;

/**
 * A parameter group of the optimizer: its parameters (with their state-dict names) and weight
 * decay. {@link #of} splits a model as torchvision's {@code set_weight_decay} does.
 */
public record ParamGroup(String key, List<String> names, List<Tensor> params, double weightDecay) {

    public ParamGroup {
        names = List.copyOf(names);
        params = List.copyOf(params);
    }

    /**
     * torchvision's groups, in its order and leaving out empty ones: "other" with {@code weightDecay};
     * "norm", the BatchNorm parameters, with {@code normWeightDecay} when that is given; "bias", every
     * parameter named "bias", with {@code biasWeightDecay} when that is given (a BatchNorm bias
     * then goes there, as torchvision's custom keys come first). Within a group, the model's order.
     */
    public static List<ParamGroup> of(Module net, double weightDecay, Double normWeightDecay, Double biasWeightDecay) {
        List<String> normModules = new ArrayList<>();
        var modules = net.named_modules();
        for (long i = 0; i < modules.size(); i++) {
            if (modules.get(i).value().name().getString().contains("BatchNorm")) {
                normModules.add(modules.get(i).key().getString());
            }
        }
        Map<String, List<String>> names = new LinkedHashMap<>();
        Map<String, List<Tensor>> params = new LinkedHashMap<>();
        for (String k : List.of("other", "norm", "bias")) {
            names.put(k, new ArrayList<>());
            params.put(k, new ArrayList<>());
        }
        Map<String, Tensor> all = StateDict.of(net);
        for (String name : Parameters.names(net)) {
            int dot = name.lastIndexOf('.');
            String local = name.substring(dot + 1);
            String module = dot < 0 ? "" : name.substring(0, dot);
            String key = biasWeightDecay != null && local.equals("bias") ? "bias"
                    : normWeightDecay != null && normModules.contains(module) ? "norm" : "other";
            names.get(key).add(name);
            params.get(key).add(all.get(name));
        }
        Map<String, Double> decay = new LinkedHashMap<>();
        decay.put("other", weightDecay);
        decay.put("norm", normWeightDecay);
        decay.put("bias", biasWeightDecay);
        List<ParamGroup> out = new ArrayList<>();
        names.forEach((k, n) -> {
            if (!n.isEmpty()) {
                out.add(new ParamGroup(k, n, params.get(k), decay.get(k)));
            }
        });
        return out;
    }

    /** All parameters of the groups in the optimizer's order (PyTorch's state indices). */
    public static List<Tensor> flatten(List<ParamGroup> groups) {
        List<Tensor> out = new ArrayList<>();
        groups.forEach(g -> out.addAll(g.params()));
        return out;
    }
}
