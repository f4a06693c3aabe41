package org.leno.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.leno.model.ResidualNetwork;
import org.leno.nn.StateDict;

/** A model's parameters in PyTorch's {@code model.parameters()} order: the state dict's order without buffers. */
public final class Parameters {
    private Parameters() {
    }

    public static List<Tensor> of(ResidualNetwork net) {
        var named = net.named_parameters(true);
        Set<String> names = new HashSet<>();
        for (long i = 0; i < named.size(); i++) {
            names.add(named.get(i).key().getString());
        }
        List<Tensor> out = new ArrayList<>();
        StateDict.of(net).forEach((k, v) -> {
            if (names.contains(k)) {
                out.add(v);
            }
        });
        return out;
    }
}
