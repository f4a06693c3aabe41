package org.leno.internal.train;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.interop.TensorData;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;

/** A model, optimizer and training step put together as the trainer puts them together. */
final class TrainingFixture implements AutoCloseable {
    private final ResidualNetwork net;
    private final Sgd sgd;
    private final TrainStep step;
    private final List<String> parameterNames;

    private TrainingFixture(ResidualNetwork net, Sgd sgd, TrainStep step, List<String> parameterNames) {
        this.net = net;
        this.sgd = sgd;
        this.step = step;
        this.parameterNames = parameterNames;
    }

    static TrainingFixture create(ModelConfig config, double lr, double momentum, double weightDecay, boolean nesterov,
                                  boolean bf16) {
        ResidualNetwork net = ModelRegistry.create(config);
        net.toChannelsLast();
        net.train(true);
        Sgd sgd = new Sgd(Parameters.of(net), lr, momentum, weightDecay, nesterov);
        return new TrainingFixture(net, sgd, new TrainStep(net, sgd, bf16), names(net));
    }

    ResidualNetwork net() { return net; }

    Sgd sgd() { return sgd; }

    /** Parameter names in the optimizer's order (PyTorch's model.parameters()). */
    List<String> parameterNames() { return parameterNames; }

    /** One training step on a batch given as NCHW floats, delivered channels-last as the loader does. */
    double step(float[] images, long[] labels, int batch, int size) {
        try (NativeScope scope = NativeScope.open()) {
            Tensor x = Tensors.fromFloats(images, batch, 3, size, size).contiguous(torch.MemoryFormat.ChannelsLast);
            Tensor y = Tensors.fromHost(TensorData.ofLongs(new long[] {batch}, labels));
            return step.run(x, y, 0, false).loss();
        }
    }

    private static List<String> names(ResidualNetwork net) {
        Set<String> params = new HashSet<>();
        var named = net.named_parameters(true);
        for (long i = 0; i < named.size(); i++) {
            params.add(named.get(i).key().getString());
        }
        List<String> out = new ArrayList<>();
        StateDict.of(net).keySet().stream().filter(params::contains).forEach(out::add);
        return out;
    }

    @Override
    public void close() {
        net.close();
    }
}
