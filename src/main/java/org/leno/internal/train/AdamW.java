package org.leno.internal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.interop.PyTuple;
import org.leno.internal.nn.OptimizerKernels;

/**
 * PyTorch's AdamW (amsgrad off): decoupled weight decay per group, bias-corrected first and second
 * moments; state as PyTorch saves it (step, exp_avg, exp_avg_sq). Each group is updated by
 * libtorch's fused kernel (torch.optim.AdamW(fused=True)) when it has one, else parameter by
 * parameter as torch.optim.AdamW with foreach off.
 */
public final class AdamW extends GroupedOptimizer {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final Optional<OptimizerKernels> kernels = OptimizerKernels.find();

    public AdamW(List<ParamGroup> groups, double lr, double beta1, double beta2, double eps) {
        super(groups, lr);
        if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("--adam-betas must be in [0, 1), got " + beta1 + " " + beta2);
        }
        if (!(eps > 0)) {
            throw new IllegalArgumentException("--adam-eps must be positive, got " + eps);
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    @Override
    boolean updateGroup(ParamGroup group, List<Integer> indices) {
        if (kernels.isEmpty() || !laidOutAlike(indices, List.of("exp_avg", "exp_avg_sq"))) {
            return false;
        }
        List<Tensor> params = new ArrayList<>();
        List<Tensor> grads = new ArrayList<>();
        List<Tensor> expAvgs = new ArrayList<>();
        List<Tensor> expAvgSqs = new ArrayList<>();
        List<Tensor> steps = new ArrayList<>();
        for (int i : indices) {
            Tensor p = params().get(i);
            Map<String, Tensor> state = state(i);
            initialise(p, state);
            state.get("step").add_(new Scalar(1.0));
            params.add(p);
            grads.add(p.grad());
            expAvgs.add(state.get("exp_avg"));
            expAvgSqs.add(state.get("exp_avg_sq"));
            steps.add(state.get("step"));
        }
        if (!params.isEmpty()) {
            kernels.get().adamw(params, grads, expAvgs, expAvgSqs, steps, lr(), beta1, beta2, group.weightDecay(), eps);
        }
        return true;
    }

    private static void initialise(Tensor p, Map<String, Tensor> state) {
        if (state.isEmpty()) {
            state.put("step", keep(torch.zeros(new long[0], new TensorOptions(torch.ScalarType.Float))));
            state.put("exp_avg", keep(torch.zeros_like(p)));
            state.put("exp_avg_sq", keep(torch.zeros_like(p)));
        }
    }

    @Override
    void update(Tensor p, Tensor grad, Map<String, Tensor> state, ParamGroup group, int index) {
        initialise(p, state);
        Tensor stepT = state.get("step");
        stepT.add_(new Scalar(1.0));
        double step = stepT.item_double();
        p.mul_(new Scalar(1 - lr() * group.weightDecay()));
        Tensor expAvg = state.get("exp_avg");
        Tensor expAvgSq = state.get("exp_avg_sq");
        expAvg.mul_(new Scalar(beta1)).add_(grad, new Scalar(1 - beta1));
        expAvgSq.mul_(new Scalar(beta2)).addcmul_(grad, grad, new Scalar(1 - beta2));
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2 = 1 - Math.pow(beta2, step);
        double stepSize = lr() / biasCorrection1;
        Tensor denom = expAvgSq.sqrt().div(new Scalar(Math.sqrt(biasCorrection2))).add_(new Scalar(eps));
        p.addcdiv_(expAvg, denom, new Scalar(-stepSize));
    }

    @Override
    Map<String, Object> hyperParameters(ParamGroup group) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("betas", PyTuple.of(beta1, beta2));
        h.put("eps", eps);
        h.put("weight_decay", group.weightDecay());
        h.put("amsgrad", false);
        h.put("foreach", null);
        h.put("maximize", false);
        h.put("capturable", false);
        return h;
    }

    @Override
    List<String> stateKeys() {
        return List.of("step", "exp_avg", "exp_avg_sq");
    }
}
