package org.leno.internal.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Tensors;
import org.leno.internal.testing.OnnxRunner;

/** The folded inference forward computes the modules' eval-mode forward: exactly in float32, closely in bfloat16. */
class FoldedForwardTest {
    private static final int SIZE = 48;
    private static final int BATCH = 3;

    @ParameterizedTest(name = "{0}{1}")
    @CsvSource({"resnet,50", "preactresnet,50", "lenoresnet,50", "lenoresnet,101"})
    void float32EqualsTheModulesAndBfloat16IsClose(String arch, int depth) {
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(ModelRegistry.arch(arch), depth, 7))) {
            OnnxRunner.calibrated(net, depth, SIZE);
            float[] x = OnnxRunner.input(depth + 1, BATCH, SIZE);
            float[] modules = OnnxRunner.torchLogits(net, x, BATCH, SIZE);
            float[] fp32 = logits(net, FoldedForward.Precision.FP32, x);
            float[] bf16 = logits(net, FoldedForward.Precision.BF16, x);
            double scale = OnnxRunner.maxAbs(modules);
            assertThat(scale).as("logits big enough to see a wrong graph").isGreaterThan(0.1);
            // folding rounds once in float64, so only float32 rounding of the activations differs
            assertThat(OnnxRunner.maxAbsDiff(modules, fp32)).isLessThanOrEqualTo(1e-5 * scale + 1e-6);
            // bfloat16 keeps 8 significant bits: a few percent of the scale after 50-100 layers, but not nothing
            double bf16Diff = OnnxRunner.maxAbsDiff(modules, bf16);
            assertThat(bf16Diff).isLessThanOrEqualTo(0.05 * scale).isGreaterThan(1e-5 * scale);
        }
    }

    @Test
    void keepsItsOwnCopyOfTheWeightsAndRefusesWorkWhenClosed() {
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(ModelRegistry.arch("resnet"), 50, 4))) {
            OnnxRunner.calibrated(net, 5, SIZE);
            float[] x = OnnxRunner.input(6, 1, SIZE);
            FoldedForward forward = FoldedForward.of(net, FoldedForward.Precision.FP32);
            float[] before = run(forward, x, 1);
            try (NoGradGuard g = new NoGradGuard()) {
                net.parameters().get(0).mul_(new Scalar(2.0));
            }
            assertThat(run(forward, x, 1)).containsExactly(before);
            forward.close();
            assertThatThrownBy(() -> run(forward, x, 1)).isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        }
    }

    private static float[] logits(ResidualNetwork net, FoldedForward.Precision precision, float[] x) {
        try (FoldedForward forward = FoldedForward.of(net, precision)) {
            return run(forward, x, BATCH);
        }
    }

    private static float[] run(FoldedForward forward, float[] x, int n) {
        try (NativeScope scope = NativeScope.open()) {
            return Tensors.floats(forward.forward(Tensors.fromFloats(x, n, 3, SIZE, SIZE)));
        }
    }
}
