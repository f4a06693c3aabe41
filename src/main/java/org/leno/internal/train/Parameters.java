package org.leno.internal.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.nn.StateDict;

/** A model's parameters in PyTorch's {@code model.parameters()} order: the state dict's order without buffers. */
public final class Parameters {
    private Parameters() {
    }

    public static List<Tensor> of(Module net) {
        Map<String, Tensor> all = StateDict.of(net);
        return names(net).stream().map(all::get).toList();
    }

    /** The parameters' state-dict names, in that order. */
    public static List<String> names(Module net) {
        var named = net.named_parameters(true);
        Set<String> params = new HashSet<>();
        for (long i = 0; i < named.size(); i++) {
            params.add(named.get(i).key().getString());
        }
        List<String> out = new ArrayList<>();
        StateDict.of(net).keySet().stream().filter(params::contains).forEach(out::add);
        return out;
    }
}
