package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.leno.internal.interop.TensorData;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;
import org.leno.internal.testing.Fixtures;

/**
 * --accum-steps K: K micro-batches of b images make the same update as one batch of K x b (BatchNorm
 * in eval mode, where a batch's statistics do not enter; float64, so that only the summation order
 * differs). The negative control leaves the loss undivided, as a naive accumulation would.
 */
class AccumulationTest {
    private static final int K = 4;
    private static final int MICRO = 4;
    private static final int UPDATES = 2;

    @ParameterizedTest
    @CsvSource({"SGD, true, 5", "ADAMW, true, 5", "SGD, false, 0"}) // clipping off in the control: it could hide the factor
    void kMicroBatchesEqualOneConcatenatedBatch(OptimizerKind kind, boolean divided, double clip) {
        try (ResidualNetwork accumulated = net(); ResidualNetwork whole = net()) {
            TrainConfig.Optimization o = new TrainConfig.Optimization(kind, kind == OptimizerKind.SGD ? 0.05 : 1e-3, 0.9,
                    1e-4, false, new double[] {0.9, 0.999}, 1e-8, 0.0, null, clip, K);
            TrainStep a = new TrainStep(accumulated, OptimizerKind.create(o, accumulated), Amp.NONE, null,
                    org.leno.internal.nn.ComputeDevice.cpu(), 0.1, o.clipGradNorm());
            TrainStep b = new TrainStep(whole, OptimizerKind.create(o, whole), Amp.NONE, null, org.leno.internal.nn.ComputeDevice.cpu(), 0.1,
                    o.clipGradNorm());
            for (int u = 0; u < UPDATES; u++) {
                try (NativeScope scope = NativeScope.open()) {
                    Tensor x = batch(u);
                    Tensor y = Tensors.fromHost(TensorData.ofLongs(new long[] {K * MICRO},
                            TrajectoryEquivalenceTest.labels(u, K * MICRO)));
                    for (int m = 0; m < K; m++) {
                        a.run(x.narrow(0, (long) m * MICRO, MICRO), y.narrow(0, (long) m * MICRO, MICRO), null, null,
                                new TrainStep.Options(0, divided ? K : 1, m == K - 1, false, false));
                    }
                    b.run(x, y, null, null, TrainStep.Options.single(0, false));
                }
            }
            double worst = worstRelativeDifference(StateDict.of(accumulated), StateDict.of(whole));
            if (divided) {
                assertThat(worst).as("largest relative difference of a parameter").isLessThan(1e-9);
            } else {
                assertThat(worst).as("an undivided loss makes K times the gradient").isGreaterThan(1e-3);
            }
        }
    }

    private static ResidualNetwork net() {
        ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 10));
        Fixtures.fillDeterministic(net);
        RecipeEquivalenceTest.toDouble(net);
        net.train(false);
        return net;
    }

    private static Tensor batch(int update) {
        return Tensors.fromFloats(TrajectoryEquivalenceTest.images(update, K * MICRO), K * MICRO, 3, 32, 32)
                .to(torch.ScalarType.Double);
    }

    private static double worstRelativeDifference(Map<String, Tensor> mine, Map<String, Tensor> theirs) {
        double worst = 0;
        for (Map.Entry<String, Tensor> e : mine.entrySet()) {
            try (NativeScope scope = NativeScope.open()) {
                Tensor other = theirs.get(e.getKey());
                if (!e.getValue().is_floating_point()) {
                    continue;
                }
                double scale = Math.max(other.norm().item_double(), 1e-12);
                worst = Math.max(worst, e.getValue().sub(other).norm().item_double() / scale);
            }
        }
        return worst;
    }
}
