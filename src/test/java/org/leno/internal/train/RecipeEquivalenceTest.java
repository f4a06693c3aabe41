package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.PyTuple;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.ConvLayer;
import org.leno.internal.nn.Container;
import org.leno.internal.nn.Layers;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;
import org.leno.internal.testing.Fixtures;

/**
 * The modern recipe's pieces against PyTorch 1.13 (scripts/make_recipe_fixtures.py): AdamW and SGD
 * over torchvision's weight-decay groups, label smoothing, gradient clipping and the EMA, through our
 * training step on LeNo-ResNet-50 in float64 for 3 steps (float64 on both sides, so that what is
 * compared is the formulas: they agree to ~1e-12, the issue asks for 1e-5); and the optimizers'
 * state_dict, read from PyTorch's and continued, on a tiny model.
 */
class RecipeEquivalenceTest {
    private static final Map<String, Object> FIXTURE = read();
    private static final double TOLERANCE = 1e-5;

    /** The flags of each fixture case, as `leno train` would take them. */
    private static TrainConfig.Optimization optimization(String name) {
        return switch (name) {
            case "adamw" -> new TrainConfig.Optimization(OptimizerKind.ADAMW, 1e-3, 0.9, 0.05, false,
                    new double[] {0.9, 0.999}, 1e-8, 0.0, 0.0, 1.0, 1);
            case "sgd" -> new TrainConfig.Optimization(OptimizerKind.SGD, 0.02, 0.9, 1e-4, true,
                    new double[] {0.9, 0.999}, 1e-8, 0.0, null, 0.5, 1);
            default -> new TrainConfig.Optimization(OptimizerKind.ADAMW, 3e-4, 0.9, 0.01, false,
                    new double[] {0.9, 0.999}, 1e-8, null, null, 0, 1);
        };
    }

    private static double smoothing(String name) { return name.equals("adamw_plain") ? 0 : 0.1; }

    private static double emaDecay(String name) { return name.equals("adamw") ? 0.9 : name.equals("sgd") ? 0.5 : 0; }

    @ParameterizedTest
    @ValueSource(strings = {"adamw", "sgd", "adamw_plain"})
    void threeStepsOfTheRecipeEqualPyTorchs(String name) {
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 10))) {
            Fixtures.fillDeterministic(net);
            toDouble(net);
            net.toChannelsLast();
            net.train(true);
            TrainConfig.Optimization o = optimization(name);
            Optimizer optimizer = OptimizerKind.create(o, net);
            assertThat(((GroupedOptimizer) optimizer).groups().stream().map(g -> (long) g.params().size()).toList())
                    .containsExactlyElementsOf(longs(name + ".group_sizes"));
            TrainStep step = new TrainStep(net, optimizer, Amp.NONE, null, org.leno.internal.nn.ComputeDevice.cpu(), smoothing(name),
                    o.clipGradNorm());
            ModelEma ema = emaDecay(name) > 0 ? ModelEma.of(net, emaDecay(name)) : null;
            double[] losses = doubles(name + ".losses");
            double[] clipNorms = doubles(name + ".clip_norms");
            for (int s = 0; s < losses.length; s++) {
                TrainStep.Result r;
                try (NativeScope scope = NativeScope.open()) {
                    Tensor x = Tensors.fromFloats(TrajectoryEquivalenceTest.images(s, 8), 8, 3, 32, 32)
                            .to(torch.ScalarType.Double).contiguous(torch.MemoryFormat.ChannelsLast);
                    Tensor y = Tensors.fromHost(TensorData.ofLongs(new long[] {8}, TrajectoryEquivalenceTest.labels(s, 8)));
                    r = step.run(x, y, null, null, TrainStep.Options.single(0, false));
                }
                if (ema != null) {
                    ema.update();
                }
                assertThat(r.loss()).as("loss of step %d", s + 1).isCloseTo(losses[s], offset(1e-9 * losses[s]));
                if (clipNorms.length > 0) {
                    assertThat(r.gradNorm()).as("norm clipped at step %d", s + 1).isCloseTo(clipNorms[s], offset(1e-9 * clipNorms[s]));
                }
            }
            assertMatches(StateDict.of(net), Parameters.names(net), name + ".params");
            if (ema != null) {
                assertThat(ema.averaged()).isEqualTo((long) doubles(name + ".ema_n_averaged")[0]);
                assertMatches(StateDict.of(ema.model()), new ArrayList<>(StateDict.of(ema.model()).keySet()), name + ".ema");
                ema.close();
            }
        }
    }

    /** Each tensor's norm and sampled values within {@link #TOLERANCE} of the fixture's. */
    private static void assertMatches(Map<String, Tensor> tensors, List<String> names, String prefix) {
        double[] norms = doubles(prefix + ".norms");
        TensorData samples = (TensorData) FIXTURE.get(prefix + ".samples");
        int width = (int) samples.shape()[1];
        double[] flat = samples.toDoubles();
        assertThat(names).hasSize(norms.length);
        for (int i = 0; i < names.size(); i++) {
            double[] v = TensorData.copyOf(Tensors.lazy(tensors.get(names.get(i)).to(torch.ScalarType.Double))).toDoubles();
            double sq = 0;
            for (double x : v) {
                sq += x * x;
            }
            assertThat(Math.sqrt(sq)).as("%s norm of %s", prefix, names.get(i))
                    .isCloseTo(norms[i], offset(TOLERANCE * norms[i] + 1e-12));
            for (int j = 0; j < width; j++) {
                double expected = flat[i * width + j];
                double actual = v[(int) Math.min((long) j * v.length / width, v.length - 1)];
                assertThat(actual).as("%s %s[%d]", prefix, names.get(i), j)
                        .isCloseTo(expected, offset(TOLERANCE * Math.max(Math.abs(expected), norms[i] / Math.sqrt(v.length))));
            }
        }
    }

    /** PyTorch's optimizer state after 2 steps, loaded into ours, continues to PyTorch's weights after 3. */
    @ParameterizedTest
    @ValueSource(strings = {"tiny_adamw", "tiny_sgd"})
    void optimizerStateFromPyTorchContinuesAndIsWrittenInItsLayout(String name) {
        Tiny tiny = new Tiny();
        Map<?, ?> saved = (Map<?, ?>) FIXTURE.get(name + ".state");
        StateDict.load(tiny.root, weights(name + ".weights2"), "fixture");
        List<ParamGroup> groups = ParamGroup.of(tiny.root, 0.01, 0.0, 0.001);
        assertThat(groups.stream().map(ParamGroup::names).toList())
                .containsExactly(List.of("0.weight", "3.weight"), List.of("1.weight"), List.of("0.bias", "1.bias", "3.bias"));
        Optimizer optimizer = name.endsWith("adamw") ? new AdamW(groups, 0.01, 0.8, 0.99, 1e-6)
                : new Sgd(groups, 0.1, 0.9, true);
        optimizer.loadStateDict(saved, "fixture");
        assertSameState(optimizer.stateDict(), saved);
        try (NativeScope scope = NativeScope.open()) {
            tiny.root.train(true);
            Tensor loss = torch.cross_entropy(tiny.forward(Tensors.fromHost((TensorData) FIXTURE.get("tiny_x"))),
                    Tensors.fromHost((TensorData) FIXTURE.get("tiny_y")));
            loss.backward();
            optimizer.step();
        }
        Map<String, TensorData> expected = weights(name + ".weights3");
        StateDict.toHost(tiny.root).forEach((k, v) -> {
            double[] want = expected.get(k).toDoubles();
            double[] got = v.toDoubles();
            for (int i = 0; i < want.length; i++) {
                assertThat(got[i]).as("%s %s[%d]", name, k, i).isCloseTo(want[i], offset(1e-12 + 1e-10 * Math.abs(want[i])));
            }
        });
    }

    @Test
    void aStateOfAnotherOptimizerOrWithOtherGroupsIsAOneLineError() {
        Tiny tiny = new Tiny();
        Optimizer sgd = new Sgd(ParamGroup.of(tiny.root, 0.01, 0.0, 0.001), 0.1, 0.9, true);
        Map<?, ?> adamState = (Map<?, ?>) FIXTURE.get("tiny_adamw.state");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> sgd.loadStateDict(adamState, "x.pth"))
                .hasMessage("x.pth: optimizer state 0 has no tensor 'momentum_buffer' (a checkpoint of another optimizer?)");
        Optimizer oneGroup = new Sgd(ParamGroup.of(tiny.root, 0.01, null, null), 0.1, 0.9, true);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> oneGroup.loadStateDict(adamState, "x.pth"))
                .hasMessageStartingWith("x.pth: optimizer has 3 parameter groups, this run 1");
    }

    /** Ours and PyTorch's state_dict: the same groups with the same hyper-parameters, the same state tensors. */
    private static void assertSameState(Map<String, Object> ours, Map<?, ?> theirs) {
        List<?> g1 = (List<?>) ours.get("param_groups");
        List<?> g2 = (List<?>) theirs.get("param_groups");
        assertThat(g1).hasSameSizeAs(g2);
        for (int i = 0; i < g1.size(); i++) {
            Map<?, ?> a = (Map<?, ?>) g1.get(i);
            Map<?, ?> b = (Map<?, ?>) g2.get(i);
            assertThat(a.keySet().stream().map(Object::toString).sorted().toList())
                    .isEqualTo(b.keySet().stream().map(Object::toString).sorted().toList());
            b.forEach((k, v) -> {
                Object mine = a.get(k);
                if (v instanceof PyTuple t) {
                    assertThat(((PyTuple) mine).items()).as("group %s %s", k, k).isEqualTo(t.items());
                } else if (v instanceof Number n) {
                    assertThat(((Number) mine).doubleValue()).as("group %s", k).isEqualTo(n.doubleValue());
                } else {
                    assertThat(mine).as("group %s", k).isEqualTo(v);
                }
            });
        }
        Map<?, ?> s1 = (Map<?, ?>) ours.get("state");
        Map<?, ?> s2 = (Map<?, ?>) theirs.get("state");
        assertThat(s1.keySet()).hasSameSizeAs(s2.keySet());
        s2.forEach((index, entry) -> ((Map<?, ?>) entry).forEach((key, tensor) -> {
            HostTensor mine = (HostTensor) ((Map<?, ?>) s1.get(index)).get(key);
            assertThat(TensorData.copyOf(mine).toDoubles()).as("state %s %s", index, key)
                    .containsExactly(((TensorData) tensor).toDoubles(), offset(1e-15));
        }));
    }

    /** The fixture's tiny model: Conv2d(3, 4, 3) with bias, BatchNorm2d(4), flatten, Linear(144, 3), in float64. */
    private static final class Tiny {
        final Container root = new Container("Sequential");
        final ConvLayer conv;
        final org.leno.internal.nn.NormLayer bn;
        final LinearImpl fc;

        Tiny() {
            Layers layers = new Layers();
            conv = layers.conv(root, "0", 3, 4, 3, 1, 0, true);
            bn = layers.batchNorm(root, "1", 4);
            fc = layers.linear(root, "3", 4 * 6 * 6, 3);
            toDouble(root);
        }

        Tensor forward(Tensor x) {
            return fc.forward(torch.flatten(bn.forward(conv.forward(x)), 1, -1));
        }
    }

    /**
     * Floating-point parameters and buffers to float64, as PyTorch's module.double() does (libtorch's
     * Module::to(dtype) would also turn the int64 num_batches_tracked into a float).
     */
    static void toDouble(org.bytedeco.pytorch.Module module) {
        try (NativeScope scope = NativeScope.open(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            StateDict.of(module).forEach((k, t) -> {
                if (Tensors.dtype(t) == org.leno.internal.interop.DType.F32) {
                    t.__dispatch_set_data(t.to(torch.ScalarType.Double));
                }
            });
        }
    }

    private static Map<String, TensorData> weights(String key) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        ((Map<?, ?>) FIXTURE.get(key)).forEach((k, v) -> out.put((String) k, (TensorData) v));
        return out;
    }

    private static double[] doubles(String key) {
        return ((TensorData) FIXTURE.get(key)).toDoubles();
    }

    private static List<Long> longs(String key) {
        return java.util.Arrays.stream(doubles(key)).mapToObj(d -> (long) d).toList();
    }

    private static Map<String, Object> read() {
        Map<String, Object> out = new LinkedHashMap<>();
        ((Map<?, ?>) WeightFiles.readObject(Fixtures.path("recipes.pt"))).forEach((k, v) -> out.put((String) k, v));
        return out;
    }
}
