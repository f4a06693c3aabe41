package org.leno.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.pytorch.global.torch.relu;

import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;

class ModelBehaviourTest {

    static ResidualNetwork small(Arch arch, int nClasses) {
        return ModelRegistry.create(ModelConfig.of(arch, 50, nClasses));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void forwardShapesAt224And32AndEvalIsBatchIndependent(Arch arch) {
        Natives.seed(1);
        try (ResidualNetwork net = small(arch, 7); NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.eval();
            assertThat(Tensors.shape(net.forward(torch.randn(1, 3, 224, 224)))).containsExactly(1, 7);
            Tensor batch = torch.randn(3, 3, 32, 32);
            Tensor all = net.forward(batch);
            assertThat(Tensors.shape(all)).containsExactly(3, 7);
            float[] together = Tensors.floats(all);
            for (int i = 0; i < 3; i++) {
                float[] alone = Tensors.floats(net.forward(batch.narrow(0, i, 1)));
                for (int c = 0; c < 7; c++) {
                    assertThat(alone[c]).isCloseTo(together[i * 7 + c], org.assertj.core.data.Offset.offset(1e-4f));
                }
            }
        }
    }

    @Test
    void modelSurvivesGarbageCollectionOfItsBuildingBlocks() {
        try (ResidualNetwork net = small(Arch.LENORESNET, 3)) {
            for (int i = 0; i < 3; i++) {
                System.gc();
                net.eval();
                net.train(true);
            }
            try (NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
                assertThat(Tensors.shape(net.forward(torch.randn(2, 3, 32, 32)))).containsExactly(2, 3);
            }
        }
    }

    @Test
    void lenoSecondBlockSkipCarriesReluOfItsInput() {
        Natives.seed(2);
        try (ResidualNetwork net = small(Arch.LENORESNET, 10); NativeScope s = NativeScope.open();
             NoGradGuard g = new NoGradGuard()) {
            net.eval();
            ResidualBlock second = net.blocks().get(1);
            Map<String, Tensor> w = StateDict.of(second);
            assertThat(w).doesNotContainKeys("bn0.weight", "bn3.weight");
            // make BN statistics non-trivial so a wrong order of operations shows
            for (String bn : new String[] {"bn1", "bn2"}) {
                torch.uniform_(w.get(bn + ".running_mean"), -0.5, 0.5);
                torch.uniform_(w.get(bn + ".running_var"), 0.5, 2.0);
                torch.uniform_(w.get(bn + ".weight"), 0.5, 1.5);
                torch.uniform_(w.get(bn + ".bias"), -0.2, 0.2);
            }
            Tensor x = torch.randn(2, 256, 8, 8); // has negative entries, so relu(x) != x
            Tensor r = relu(x);
            Tensor h = relu(bn(torch.conv2d(r, w.get("conv1.weight")), w, "bn1"));
            h = relu(bn(torch.conv2d(h, w.get("conv2.weight"), null, new long[] {1, 1}, new long[] {1, 1},
                    new long[] {1, 1}, 1), w, "bn2"));
            Tensor expected = torch.add(r, torch.conv2d(h, w.get("conv3.weight")));
            Tensor actual = second.forward(x.clone());
            float[] a = Tensors.floats(actual);
            float[] e = Tensors.floats(expected);
            float[] withoutRelu = Tensors.floats(torch.add(x, torch.conv2d(h, w.get("conv3.weight"))));
            double maxDiff = 0;
            double maxDiffPlainSkip = 0;
            for (int i = 0; i < a.length; i++) {
                maxDiff = Math.max(maxDiff, Math.abs(a[i] - e[i]));
                maxDiffPlainSkip = Math.max(maxDiffPlainSkip, Math.abs(a[i] - withoutRelu[i]));
            }
            assertThat(maxDiff).isLessThan(1e-4);
            assertThat(maxDiffPlainSkip).as("the skip path must not be x itself").isGreaterThan(0.5);
        }
    }

    private static Tensor bn(Tensor x, Map<String, Tensor> w, String name) {
        Tensor mean = w.get(name + ".running_mean").view(1, -1, 1, 1);
        Tensor var = w.get(name + ".running_var").view(1, -1, 1, 1);
        Tensor normalized = torch.div(torch.sub(x, mean), torch.sqrt(torch.add(var, new org.bytedeco.pytorch.Scalar(1e-5))));
        return torch.add(torch.mul(normalized, w.get(name + ".weight").view(1, -1, 1, 1)),
                w.get(name + ".bias").view(1, -1, 1, 1));
    }

    @ParameterizedTest
    @EnumSource(Arch.class)
    void zeroInitResidualMakesEachBlockItsShortcut(Arch arch) {
        Natives.seed(3);
        try (ResidualNetwork net = ModelRegistry.create(new ModelConfig(arch, 50, 10, true, 0));
             NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.eval();
            Map<String, Tensor> sd = StateDict.of(net);
            sd.forEach((k, v) -> {
                boolean zeroed = switch (arch) {
                    case RESNET, PREACTRESNET -> k.matches("layer\\d\\.\\d+\\.bn3\\.weight");
                    case LENORESNET -> k.matches("layer\\d\\.0\\.bn3\\.weight") || k.matches("layer\\d\\.[1-9]\\d*\\.conv3\\.weight");
                };
                if (zeroed) {
                    assertThat(torch.count_nonzero(v).item_long()).as(k).isZero();
                } else if (k.endsWith("bn3.weight") || k.endsWith("conv3.weight")) {
                    assertThat(torch.count_nonzero(v).item_long()).as(k).isPositive();
                }
            });
            // an identity block (not first, not second) of each family returns its input exactly
            Tensor x = relu(torch.randn(2, 256, 8, 8));
            ResidualBlock middle = net.blocks().get(2);
            float[] in = Tensors.floats(x);
            float[] out = Tensors.floats(middle.forward(x));
            if (arch == Arch.LENORESNET) {
                // the stage's end block applies relu(bn3(.)); with eval BN at init that is relu(x / sqrt(1 + eps))
                for (int i = 0; i < in.length; i++) {
                    assertThat((double) out[i]).isCloseTo(in[i] / Math.sqrt(1 + 1e-5), org.assertj.core.data.Offset.offset(1e-5));
                }
            } else {
                assertThat(out).containsExactly(in);
            }
        }
    }

    @Test
    void dropoutActsOnlyInTraining() {
        Natives.seed(4);
        try (ResidualNetwork net = ModelRegistry.create(new ModelConfig(Arch.RESNET, 50, 5, false, 0.5));
             NativeScope s = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = torch.randn(4, 3, 32, 32);
            net.eval();
            float[] a = Tensors.floats(net.forward(x));
            float[] b = Tensors.floats(net.forward(x));
            assertThat(a).containsExactly(b);
            // in training mode dropout zeroes features at random: two passes differ
            net.train(true);
            float[] c = Tensors.floats(net.forward(x));
            float[] d = Tensors.floats(net.forward(x));
            assertThat(c).isNotEqualTo(d);
        }
    }

    @Test
    void unknownArchOrDepthListsTheValidOnes() {
        assertThatThrownBy(() -> ModelRegistry.create(ModelConfig.of(Arch.RESNET, 401, 10)))
                .hasMessage("no resnet of depth 401; valid depths: 50, 101, 152, 200");
        assertThatThrownBy(() -> ModelRegistry.blocksPerStage(Arch.LENORESNET, 34))
                .hasMessage("no lenoresnet of depth 34; valid depths: 50, 101, 152, 200, 401, 500");
        assertThatThrownBy(() -> ModelRegistry.arch("vgg")).hasMessageContaining("unknown arch 'vgg'");
    }

    @Test
    void bnDefaultsAreThoseOfPyTorch() {
        try (ResidualNetwork net = small(Arch.RESNET, 10)) {
            Map<String, Tensor> opts = StateDict.of(net);
            assertThat(Tensors.floats(opts.get("bn1.weight"))).containsOnly(1f);
            assertThat(Tensors.floats(opts.get("bn1.bias"))).containsOnly(0f);
            assertThat(Tensors.floats(opts.get("bn1.running_var"))).containsOnly(1f);
            // conv init: Kaiming-normal, fan_out: std sqrt(2 / (64 * 7 * 7)) for the stem
            float[] w = Tensors.floats(opts.get("conv1.weight"));
            double sq = 0;
            for (float v : w) {
                sq += v * v;
            }
            assertThat(Math.sqrt(sq / w.length)).isCloseTo(Math.sqrt(2.0 / (64 * 49)), org.assertj.core.data.Offset.offset(0.003));
        }
    }
}
