package org.leno.internal.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Dispatcher;
import org.bytedeco.pytorch.GenericList;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.OperatorHandleOptional;
import org.bytedeco.pytorch.OperatorName;
import org.bytedeco.pytorch.OperatorHandle;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorType;
import org.bytedeco.pytorch.Type;

/**
 * libtorch's fused optimizer kernels, which have no C++ function in the presets and are called by
 * name through the dispatcher: {@code aten::_fused_sgd_} and {@code aten::_fused_adamw_} update
 * every parameter of a list in one pass over its memory (weight decay, moments and the step
 * together), as {@code torch.optim.SGD(fused=True)} and {@code torch.optim.AdamW(fused=True)} do;
 * {@code _foreach_mul_} and {@code _foreach_add_} update a weight average over all tensors at once.
 */
public final class OptimizerKernels {
    private final OperatorHandle sgd;
    private final OperatorHandle adamw;
    private final OperatorHandle mulScalar;
    private final OperatorHandle addList;

    private OptimizerKernels(OperatorHandle sgd, OperatorHandle adamw, OperatorHandle mulScalar, OperatorHandle addList) {
        this.sgd = sgd;
        this.adamw = adamw;
        this.mulScalar = mulScalar;
        this.addList = addList;
    }

    /** The kernels, when this libtorch has them (2.4 and later do, on the CPU and CUDA). */
    public static Optional<OptimizerKernels> find() {
        OperatorHandleOptional s = Dispatcher.singleton().findSchema(new OperatorName("aten::_fused_sgd_", ""));
        OperatorHandleOptional a = Dispatcher.singleton().findSchema(new OperatorName("aten::_fused_adamw_", ""));
        OperatorHandleOptional m = Dispatcher.singleton().findSchema(new OperatorName("aten::_foreach_mul_", "Scalar"));
        OperatorHandleOptional d = Dispatcher.singleton().findSchema(new OperatorName("aten::_foreach_add_", "List"));
        return s.has_value() && a.has_value() && m.has_value() && d.has_value()
                ? Optional.of(new OptimizerKernels(own(s), own(a), own(m), own(d))) : Optional.empty();
    }

    /** get() points into the optional, which an enclosing scope (or the collector) frees: a copy of our own. */
    private static OperatorHandle own(OperatorHandleOptional h) {
        return NativeScope.escape(new OperatorHandle(h.get()));
    }

    /**
     * SGD with momentum (dampening 0, not maximising) on lists of equal length, in place: with
     * {@code d = grad + weightDecay * param}, the buffer becomes {@code d} on the first step and
     * {@code momentum * buffer + d} after, and {@code param -= lr * (nesterov ? d + momentum * buffer : buffer)}.
     * On the first step the buffers' contents are ignored (they must be allocated, of the parameters'
     * shapes). Gradients and buffers laid out as their parameters ({@link #sameLayout}).
     */
    public void sgd(List<Tensor> params, List<Tensor> grads, List<Tensor> buffers, double weightDecay, double momentum,
                    double lr, boolean nesterov, boolean firstStep) {
        if (params.size() != grads.size() || params.size() != buffers.size()) {
            throw new IllegalArgumentException("fused SGD: " + params.size() + " parameters, " + grads.size()
                    + " gradients, " + buffers.size() + " momentum buffers");
        }
        IValueVector stack = new IValueVector(tensors(params), tensors(grads), tensors(buffers), new IValue(weightDecay),
                new IValue(momentum), new IValue(lr), new IValue(0.0), new IValue(nesterov), new IValue(false),
                new IValue(firstStep), new IValue(), new IValue());
        sgd.callBoxed(stack);
    }

    /**
     * AdamW (amsgrad off, not maximising) on lists of equal length, in place, as
     * torch.optim.AdamW(fused=True): the parameters decay by {@code 1 - lr * weightDecay}, the moments
     * move towards the gradient and its square, and the step uses the bias corrections of each
     * parameter's {@code steps} value, which the caller has already advanced. Gradients and moments
     * laid out as their parameters ({@link #sameLayout}).
     */
    public void adamw(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs, List<Tensor> expAvgSqs, List<Tensor> steps,
                      double lr, double beta1, double beta2, double weightDecay, double eps) {
        int n = params.size();
        if (grads.size() != n || expAvgs.size() != n || expAvgSqs.size() != n || steps.size() != n) {
            throw new IllegalArgumentException("fused AdamW: lists of " + n + " parameters, " + grads.size() + " gradients, "
                    + expAvgs.size() + " and " + expAvgSqs.size() + " moments, " + steps.size() + " steps");
        }
        IValueVector stack = new IValueVector(tensors(params), tensors(grads), tensors(expAvgs), tensors(expAvgSqs),
                tensors(List.of()), tensors(steps), new IValue(lr), new IValue(beta1), new IValue(beta2),
                new IValue(weightDecay), new IValue(eps), new IValue(false), new IValue(false), new IValue(), new IValue());
        adamw.callBoxed(stack);
    }

    /**
     * {@code average = decay * average + (1 - decay) * current} for every pair of the lists, in place:
     * two multi-tensor kernels ({@code _foreach_mul_}, {@code _foreach_add_} with alpha) for all of them.
     */
    public void movingAverage(List<Tensor> averages, List<Tensor> current, double decay) {
        if (averages.size() != current.size()) {
            throw new IllegalArgumentException("moving average: " + averages.size() + " averages, " + current.size() + " tensors");
        }
        mulScalar.callBoxed(new IValueVector(tensors(averages), new IValue(new Scalar(decay))));
        addList.callBoxed(new IValueVector(tensors(averages), tensors(current), new IValue(new Scalar(1.0 - decay))));
    }

    /**
     * Whether two tensors are laid out alike. The kernels walk each parameter's tensors element by
     * element in memory order, so a parameter's gradient and state must be laid out as it is (a
     * channels-last weight with channels-last state); callers check this first. Both must be dense,
     * and their strides equal along every dimension longer than 1: along the others a stride never
     * moves in memory (a 1x1 convolution's channels-last weight has strides (C, 1, 1, 1), its
     * gradient (C, 1, C, C), the same memory order).
     */
    public static boolean sameLayout(Tensor a, Tensor b) {
        long[] sizes = a.sizes().vec().get();
        if (!Arrays.equals(sizes, b.sizes().vec().get()) || !a.is_non_overlapping_and_dense()
                || !b.is_non_overlapping_and_dense()) {
            return false;
        }
        long[] sa = Tensors.strides(a);
        long[] sb = Tensors.strides(b);
        for (int d = 0; d < sizes.length; d++) {
            if (sizes[d] > 1 && sa[d] != sb[d]) {
                return false;
            }
        }
        return true;
    }

    /** A Tensor[] argument: a list typed as tensors, which the kernel's unboxing checks. */
    private static IValue tensors(List<Tensor> list) {
        GenericList out = new GenericList(new Type.TypePtr(TensorType.get()));
        for (Tensor t : list) {
            out.push_back(new IValue(t));
        }
        return new IValue(out);
    }
}
