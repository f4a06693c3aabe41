package org.leno.internal.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.OrderedDict;
import org.leno.internal.interop.TensorData;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.OptimizerKernels;
import org.leno.internal.nn.StateDict;

/**
 * torchvision's ExponentialMovingAverage: an AveragedModel over parameters and buffers
 * ({@code use_buffers=True}) with {@code avg = decay * avg + (1 - decay) * model}, the first update
 * copying the model; the floating-point tensors are updated all at once by libtorch's multi-tensor
 * kernels. Integer buffers (num_batches_tracked) are averaged in floating point and truncated back,
 * as PyTorch's copy_ does. Its state dict is AveragedModel's: {@code n_averaged},
 * then the model's entries prefixed {@code module.}.
 */
public final class ModelEma implements AutoCloseable {
    private final ResidualNetwork model;
    private final ResidualNetwork average;
    private final double decay;
    private final Optional<OptimizerKernels> kernels = OptimizerKernels.find();
    private long averaged;

    private ModelEma(ResidualNetwork model, ResidualNetwork average, double decay) {
        this.model = model;
        this.average = average;
        this.decay = decay;
    }

    /** An average of {@code model} (same device and layout, as a copy of it) with {@code decay}. */
    public static ModelEma of(ResidualNetwork model, double decay) {
        ResidualNetwork average = ModelRegistry.create(model.config());
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Map<String, Tensor> from = StateDict.of(model);
            StateDict.of(average).forEach((k, t) -> t.__dispatch_set_data(from.get(k).clone()));
        }
        average.eval();
        return new ModelEma(model, average, decay);
    }

    /**
     * torchvision's decay adjustment (pycls): the EMA's horizon in images stays the same whatever the
     * batch, number of processes, update interval and epochs:
     * {@code alpha = min(1, (1 - decay) * world * batch * steps / epochs)}, decay {@code 1 - alpha}.
     */
    public static double adjustedDecay(double decay, int worldSize, int batchPerProcess, int steps, int epochs) {
        double adjust = (double) worldSize * batchPerProcess * steps / epochs;
        return 1.0 - Math.min(1.0, (1.0 - decay) * adjust);
    }

    public ResidualNetwork model() { return average; }

    public double decay() { return decay; }

    public long averaged() { return averaged; }

    /** One averaging step (AveragedModel.update_parameters). */
    public void update() {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Map<String, Tensor> current = StateDict.of(model);
            List<Tensor> averages = new ArrayList<>();
            List<Tensor> values = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : StateDict.of(average).entrySet()) {
                Tensor avg = e.getValue();
                Tensor now = current.get(e.getKey());
                if (averaged == 0) {
                    avg.copy_(now);
                } else if (kernels.isPresent() && avg.is_floating_point() && OptimizerKernels.sameLayout(avg, now)) {
                    averages.add(avg);
                    values.add(now);
                } else {
                    Tensor mixed = torch.add(avg.mul(new Scalar(decay)), now.mul(new Scalar(1.0 - decay)));
                    avg.copy_(mixed); // an integer buffer: float average, truncated by copy_ as in PyTorch
                }
            }
            if (!averages.isEmpty()) {
                kernels.get().movingAverage(averages, values, decay);
            }
        }
        averaged++;
    }

    /**
     * After optimizer update {@code u} (0-based in the epoch): averages every {@code every} updates, as
     * torchvision's train.py, and during warm-up starts the average over each time (it keeps copying the weights).
     */
    public void afterUpdate(int u, int every, boolean warmingUp) {
        if (u % every == 0) {
            update();
            if (warmingUp) {
                restart();
            }
        }
    }

    /** Starts the average over (torchvision does so after each update during warm-up). */
    public void restart() {
        averaged = 0;
    }

    /** AveragedModel's state_dict, streamed from native memory when written. */
    public OrderedDict stateDict() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        out.put("n_averaged", TensorData.scalarLong(averaged));
        StateDict.lazy(average).forEach((k, v) -> out.put("module." + k, v));
        return new OrderedDict(out);
    }

    /** Restores from AveragedModel's state_dict (as read from a checkpoint's model_ema). */
    public void load(Map<?, ?> saved, String source) {
        Map<String, TensorData> weights = new LinkedHashMap<>();
        long n = -1;
        for (Map.Entry<?, ?> e : saved.entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof TensorData t)) {
                throw new InterchangeException(source + ": model_ema has an entry that is not a named tensor");
            }
            if (key.equals("n_averaged")) {
                n = t.numel() == 1 ? (long) t.toDoubles()[0] : -1;
            } else if (key.startsWith("module.")) {
                weights.put(key.substring("module.".length()), t);
            } else {
                throw new InterchangeException(source + ": model_ema has an unexpected key " + InterchangeException.printable(key));
            }
        }
        if (n < 0) {
            throw new InterchangeException(source + ": model_ema has no n_averaged count");
        }
        StateDict.load(average, weights, source + " (model_ema)");
        averaged = n;
    }

    /** The average's tensors in state-dict order (for tests). */
    List<Tensor> tensors() {
        return List.copyOf(StateDict.of(average).values());
    }

    @Override
    public void close() {
        average.close();
    }
}
