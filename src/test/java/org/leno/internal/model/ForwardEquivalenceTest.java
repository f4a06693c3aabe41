package org.leno.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;
import org.leno.internal.testing.Fixtures;

/**
 * Our forward pass against PyTorch's on the same deterministic weights and input: torchvision's
 * resnet50, and the pre-act and LeNo families as scripts/make_fixtures.py writes them from SPEC.md.
 */
class ForwardEquivalenceTest {
    static final JsonNode EXPECTED = Fixtures.json("forward_expected.json");

    @ParameterizedTest
    @ValueSource(strings = {"resnet50", "preactresnet50", "lenoresnet50"})
    void logitsEqualPyTorchsInEvalAndTrainMode(String model) {
        ModelConfig base = ModelReferenceTest.config(model);
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(base.arch(), base.depth(), 10))) {
            List<String> keys = new ArrayList<>(StateDict.of(net).keySet());
            List<String> pythonKeys = new ArrayList<>();
            EXPECTED.get(model).get("keys").forEach(k -> pythonKeys.add(k.asText()));
            assertThat(keys).containsExactlyElementsOf(pythonKeys);
            Fixtures.fillDeterministic(net);
            float[] input = deterministicInput(2 * 3 * 64 * 64);
            net.eval();
            assertClose(forward(net, input), EXPECTED.get(model).get("eval"), model + " eval");
            net.train(true);
            assertClose(forward(net, input), EXPECTED.get(model).get("train"), model + " train");
        }
    }

    static float[] forward(ResidualNetwork net, float[] input) {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.floats(net.forward(Tensors.fromFloats(input, 2, 3, 64, 64)));
        }
    }

    static void assertClose(float[] actual, JsonNode expected, String what) {
        assertThat(actual).hasSize(expected.size());
        double maxAbs = 0;
        double maxDiff = 0;
        for (int i = 0; i < actual.length; i++) {
            maxAbs = Math.max(maxAbs, Math.abs(expected.get(i).asDouble()));
            maxDiff = Math.max(maxDiff, Math.abs(actual[i] - expected.get(i).asDouble()));
        }
        assertThat(maxDiff / maxAbs).as(what + ": max |difference| / max |logit|").isLessThan(1e-4);
    }

    static float[] deterministicInput(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) (Fixtures.uniform(1_000_000_000_000L + i) * 2.0);
        }
        return x;
    }
}
