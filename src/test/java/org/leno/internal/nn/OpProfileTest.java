package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * The backward hooks through the bindings: the node takes the hook objects over (a misuse here
 * would abort the JVM), they survive garbage collection until backward runs, each node is timed
 * once per backward, and hooking changes no gradient.
 */
class OpProfileTest {
    @Test
    void everyAutogradNodeIsTimedOncePerBackwardAndGradientsAreUnchanged() {
        Natives.seed(3);
        try (NativeScope outer = NativeScope.open()) {
            Tensor w = outer.keep(torch.randn(4, 3).requires_grad_(true));
            Tensor x = outer.keep(torch.randn(5, 4));
            float[] plain = gradient(w, x, OpProfile.none());
            OpProfile profile = OpProfile.recording();
            for (int step = 0; step < 3; step++) {
                profile.beginStep();
                assertThat(gradient(w, x, profile)).containsExactly(plain);
                profile.endStep("backward");
            }
            Map<String, Long> calls = new HashMap<>();
            profile.rows().stream().filter(r -> !r.remainder()).forEach(r -> calls.put(r.operator(), r.calls()));
            // sum(relu(x @ w) + relu(x @ w)): the shared product's node is reached twice and hooked once
            assertThat(calls).containsOnlyKeys("SumBackward0", "AddBackward0", "ReluBackward0", "MmBackward0", "AccumulateGrad");
            assertThat(calls.get("ReluBackward0")).isEqualTo(6);
            assertThat(calls.get("MmBackward0")).isEqualTo(3);
            assertThat(calls.get("AccumulateGrad")).isEqualTo(3);
            assertThat(profile.steps()).isEqualTo(3);
        }
    }

    private static float[] gradient(Tensor w, Tensor x, OpProfile profile) {
        try (NativeScope scope = NativeScope.open()) {
            Tensor previous = w.grad();
            if (previous.defined()) {
                previous.zero_();
            }
            Tensor h = x.matmul(w);
            Tensor loss = torch.add(torch.relu(h), torch.relu(h)).sum();
            profile.hookBackward(loss);
            System.gc();
            loss.backward();
            return Tensors.floats(w.grad());
        }
    }

    @Test
    void aDisabledProfileRecordsNothing() {
        OpProfile none = OpProfile.none();
        none.beginStep();
        assertThat(none.start()).isZero();
        none.record("forward", "conv2d", 0);
        none.lap("forward");
        none.endStep("other");
        assertThat(none.rows()).isEmpty();
        assertThat(none.steps()).isZero();
    }
}
