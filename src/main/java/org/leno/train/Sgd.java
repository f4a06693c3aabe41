package org.leno.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

/**
 * PyTorch's SGD (torch.optim.SGD, foreach off): per group weight decay, momentum with dampening 0,
 * optional Nesterov; momentum buffers saved as PyTorch saves them.
 */
public final class Sgd extends GroupedOptimizer {
    private final double momentum;
    private final boolean nesterov;

    public Sgd(List<ParamGroup> groups, double lr, double momentum, boolean nesterov) {
        super(groups, lr);
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("--nesterov needs a positive --momentum");
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    /** One group of {@code params} with {@code weightDecay}. */
    public Sgd(List<Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        this(List.of(new ParamGroup("other", names(params.size()), params, weightDecay)), lr, momentum, nesterov);
    }

    static List<String> names(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(String::valueOf).toList();
    }

    @Override
    void update(Tensor p, Tensor grad, Map<String, Tensor> state, ParamGroup group, int index) {
        Tensor d = group.weightDecay() != 0 ? grad.add(p, new Scalar(group.weightDecay())) : grad;
        if (momentum != 0) {
            Tensor buf = state.get("momentum_buffer");
            if (buf == null) {
                buf = keep(d.clone());
                state.put("momentum_buffer", buf);
            } else {
                buf.mul_(new Scalar(momentum)).add_(d, new Scalar(1.0));
            }
            d = nesterov ? d.add(buf, new Scalar(momentum)) : buf;
        }
        p.add_(d, new Scalar(-lr()));
    }

    @Override
    Map<String, Object> hyperParameters(ParamGroup group) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("momentum", momentum);
        h.put("dampening", 0.0);
        h.put("weight_decay", group.weightDecay());
        h.put("nesterov", nesterov);
        h.put("maximize", false);
        h.put("foreach", null);
        h.put("differentiable", false);
        return h;
    }

    @Override
    List<String> stateKeys() {
        return List.of("momentum_buffer");
    }
}
