package org.leno.internal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.OptimizerKernels;

/**
 * PyTorch's SGD: per group weight decay, momentum with dampening 0, optional Nesterov; momentum
 * buffers saved as PyTorch saves them. With momentum, each group is updated by libtorch's fused
 * kernel (torch.optim.SGD(fused=True)) when it has one, else parameter by parameter as
 * torch.optim.SGD with foreach off.
 */
public final class Sgd extends GroupedOptimizer {
    private final double momentum;
    private final boolean nesterov;
    private final Optional<OptimizerKernels> kernels;

    public Sgd(List<ParamGroup> groups, double lr, double momentum, boolean nesterov) {
        this(groups, lr, momentum, nesterov, OptimizerKernels.find());
    }

    /**
     * With {@code kernels} empty, every group is updated parameter by parameter (to compare the two);
     * so is every group without momentum, which the fused kernel does not cover.
     */
    Sgd(List<ParamGroup> groups, double lr, double momentum, boolean nesterov, Optional<OptimizerKernels> kernels) {
        super(groups, lr);
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("--nesterov needs a positive --momentum");
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
        this.kernels = momentum != 0 ? kernels : Optional.empty();
    }

    /** One group of {@code params} with {@code weightDecay}. */
    public Sgd(List<Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        this(List.of(new ParamGroup("other", names(params.size()), params, weightDecay)), lr, momentum, nesterov);
    }

    static List<String> names(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(String::valueOf).toList();
    }

    /** The group in at most two kernel calls: parameters that have a momentum buffer, and those on their first step. */
    @Override
    boolean updateGroup(ParamGroup group, List<Integer> indices) {
        if (kernels.isEmpty() || !laidOutAlike(indices, List.of("momentum_buffer"))) {
            return false;
        }
        for (boolean firstStep : new boolean[] {false, true}) {
            List<Tensor> params = new ArrayList<>();
            List<Tensor> grads = new ArrayList<>();
            List<Tensor> buffers = new ArrayList<>();
            for (int i : indices) {
                Map<String, Tensor> state = state(i);
                if (state.containsKey("momentum_buffer") == firstStep) {
                    continue;
                }
                Tensor p = params().get(i);
                if (firstStep) {
                    state.put("momentum_buffer", keep(torch.empty_like(p)));
                }
                params.add(p);
                grads.add(p.grad());
                buffers.add(state.get("momentum_buffer"));
            }
            if (!params.isEmpty()) {
                kernels.get().sgd(params, grads, buffers, group.weightDecay(), momentum, lr(), nesterov, firstStep);
            }
        }
        return true;
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
