package org.leno.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.leno.interop.HostTensor;
import org.leno.interop.TensorData;
import org.leno.nn.NativeScope;
import org.leno.nn.Tensors;

/**
 * PyTorch's SGD (torch.optim.SGD, foreach off): weight decay on every parameter, momentum with
 * dampening 0, optional Nesterov. Its momentum buffers are kept here so that they can be saved
 * in, and restored from, PyTorch's optimizer state_dict layout.
 */
public final class Sgd {
    private final List<Tensor> params;
    private final Tensor[] momentumBuffers;
    private final double momentum;
    private final double weightDecay;
    private final boolean nesterov;
    private double lr;

    public Sgd(List<Tensor> params, double lr, double momentum, double weightDecay, boolean nesterov) {
        if (nesterov && momentum <= 0) {
            throw new IllegalArgumentException("--nesterov needs a positive --momentum");
        }
        this.params = List.copyOf(params);
        this.momentumBuffers = new Tensor[params.size()];
        this.lr = lr;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
    }

    public void setLr(double lr) { this.lr = lr; }

    public double lr() { return lr; }

    public void step() {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Scalar decay = new Scalar(weightDecay);
            Scalar mom = new Scalar(momentum);
            Scalar one = new Scalar(1.0);
            Scalar minusLr = new Scalar(-lr);
            for (int i = 0; i < params.size(); i++) {
                // one scope per parameter: its temporaries (the decayed gradient) are freed before the
                // next parameter's, as in PyTorch, instead of a model-sized set living until the end
                try (NativeScope perParameter = NativeScope.open()) {
                    update(i, decay, mom, one, minusLr);
                }
            }
        }
    }

    private void update(int i, Scalar decay, Scalar mom, Scalar one, Scalar minusLr) {
        Tensor p = params.get(i);
        Tensor grad = p.grad();
        if (!grad.defined()) {
            return;
        }
        Tensor d = weightDecay != 0 ? grad.add(p, decay) : grad;
        if (momentum != 0) {
            if (momentumBuffers[i] == null) {
                momentumBuffers[i] = NativeScope.escape(d.clone());
            } else {
                momentumBuffers[i].mul_(mom).add_(d, one);
            }
            d = nesterov ? d.add(momentumBuffers[i], mom) : momentumBuffers[i];
        }
        p.add_(d, minusLr);
    }

    /**
     * PyTorch's {@code optimizer.state_dict()}: momentum buffers by parameter index, one param group.
     * The buffers are streamed from native memory when written ({@link Tensors#lazy}).
     */
    public Map<String, Object> stateDict() {
        Map<Object, Object> state = new LinkedHashMap<>();
        for (int i = 0; i < momentumBuffers.length; i++) {
            if (momentumBuffers[i] != null) {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("momentum_buffer", Tensors.lazy(momentumBuffers[i]));
                state.put((long) i, s);
            }
        }
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", lr);
        group.put("momentum", momentum);
        group.put("dampening", 0.0);
        group.put("weight_decay", weightDecay);
        group.put("nesterov", nesterov);
        group.put("maximize", false);
        group.put("foreach", null);
        group.put("differentiable", false);
        List<Object> ids = new ArrayList<>();
        for (long i = 0; i < params.size(); i++) {
            ids.add(i);
        }
        group.put("params", ids);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", state);
        out.put("param_groups", List.of(group));
        return out;
    }

    /** Restores momentum buffers from a PyTorch SGD state_dict (ours or the reference's). */
    public void loadStateDict(Map<?, ?> stateDict, String source) {
        if (!(stateDict.get("state") instanceof Map<?, ?> state)) {
            throw new IllegalArgumentException(source + ": optimizer state has no 'state'");
        }
        Tensor[] loaded = new Tensor[params.size()];
        for (Map.Entry<?, ?> e : state.entrySet()) {
            int i = ((Number) e.getKey()).intValue();
            if (i < 0 || i >= params.size()) {
                throw new IllegalArgumentException(source + ": optimizer state for parameter " + i + ", the model has "
                        + params.size());
            }
            Object buf = e.getValue() instanceof Map<?, ?> m ? m.get("momentum_buffer") : null;
            if (buf instanceof HostTensor h) {
                TensorData t = TensorData.copyOf(h);
                long[] want = Tensors.shape(params.get(i));
                if (!java.util.Arrays.equals(t.shape(), want)) {
                    throw new IllegalArgumentException(source + ": momentum buffer " + i + " is " + t.shapeText()
                            + ", parameter is " + TensorData.shapeText(want));
                }
                // onto the parameter's device and dtype (a no-op on the CPU)
                loaded[i] = NativeScope.escape(Tensors.fromHost(t).to(params.get(i), false, false,
                        new org.bytedeco.pytorch.MemoryFormatOptional()));
            }
        }
        System.arraycopy(loaded, 0, momentumBuffers, 0, loaded.length);
    }
}
