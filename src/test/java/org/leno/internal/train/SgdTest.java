package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.TensorData;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Tensors;

/** Our SGD against PyTorch's update rule, computed by hand. */
class SgdTest {

    @Test
    void stepsAsTorchOptimSgdWithMomentumWeightDecayAndNesterov() {
        for (boolean nesterov : new boolean[] {false, true}) {
            Tensor p = Tensors.fromFloats(new float[] {1f, -2f}, 2).requires_grad_(true);
            Sgd sgd = new Sgd(List.of(p), 0.1, 0.9, 0.01, nesterov);
            double[] w = {1, -2};
            double[] buf = new double[2];
            float[][] grads = {{0.5f, 0.25f}, {-1f, 2f}, {0.125f, 0f}};
            for (int step = 0; step < 3; step++) {
                try (NativeScope s = NativeScope.open()) {
                    Tensor g = Tensors.fromFloats(grads[step], 2);
                    Tensor loss = p.mul(g).sum();
                    loss.backward();
                    sgd.step();
                    p.grad().zero_();
                }
                for (int i = 0; i < 2; i++) {
                    double d = grads[step][i] + 0.01 * w[i];
                    buf[i] = step == 0 ? d : 0.9 * buf[i] + d;
                    double update = nesterov ? d + 0.9 * buf[i] : buf[i];
                    w[i] -= 0.1 * update;
                }
                float[] actual = Tensors.floats(p);
                for (int i = 0; i < 2; i++) {
                    assertThat((double) actual[i]).as("nesterov=%s step %d", nesterov, step)
                            .isCloseTo(w[i], org.assertj.core.data.Offset.offset(1e-6));
                }
            }
            Map<String, Object> state = sgd.stateDict();
            Map<?, ?> perParam = (Map<?, ?>) ((Map<?, ?>) state.get("state")).get(0L);
            assertThat(TensorData.copyOf((HostTensor) perParam.get("momentum_buffer")).toDoubles()[0])
                    .isCloseTo(buf[0], org.assertj.core.data.Offset.offset(1e-6));
            // a fresh optimizer restored from that state continues identically
            Sgd restored = new Sgd(List.of(p), 0.1, 0.9, 0.01, nesterov);
            restored.loadStateDict(state, "test");
            Map<?, ?> restoredParam = (Map<?, ?>) ((Map<?, ?>) restored.stateDict().get("state")).get(0L);
            assertThat(TensorData.copyOf((HostTensor) restoredParam.get("momentum_buffer")))
                    .isEqualTo(TensorData.copyOf((HostTensor) perParam.get("momentum_buffer")));
            assertThat(restored.stateDict().get("param_groups")).isEqualTo(state.get("param_groups"));
        }
    }

    /**
     * The fused kernel updates a group in two calls (parameters with a momentum buffer, and those on
     * their first step): a parameter that first gets a gradient at step 2 starts its buffer there,
     * while the other continues its own; a parameter without a gradient is left alone.
     */
    @Test
    void aParameterThatJoinsLateStartsItsOwnBuffer() {
        Tensor early = Tensors.fromFloats(new float[] {1f}, 1).requires_grad_(true);
        Tensor late = Tensors.fromFloats(new float[] {3f}, 1).requires_grad_(true);
        Sgd sgd = new Sgd(List.of(early, late), 0.1, 0.9, 0.0, false);
        try (NativeScope s = NativeScope.open()) {
            early.mul(Tensors.fromFloats(new float[] {2f}, 1)).sum().backward();
            sgd.step();
            assertThat(Tensors.floats(late)).containsExactly(3f);
            early.grad().zero_();
            early.add(late).mul(Tensors.fromFloats(new float[] {1f}, 1)).sum().backward();
            sgd.step();
        }
        // early: buffer 2 then 0.9 * 2 + 1 = 2.8, so 1 - 0.2 - 0.28; late: buffer 1 on its first step, 3 - 0.1
        assertThat((double) Tensors.floats(early)[0]).isCloseTo(0.52, org.assertj.core.data.Offset.offset(1e-6));
        assertThat((double) Tensors.floats(late)[0]).isCloseTo(2.9, org.assertj.core.data.Offset.offset(1e-6));
    }
}
