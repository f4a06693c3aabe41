package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;

/** The fused optimizer kernels run only where gradients are laid out as their weights: so after every kind of step. */
class FusedLayoutTest {

    @Test
    void gradientsOfChannelsLastStepsAreLaidOutAsTheirWeights() {
        Natives.load();
        for (Arch arch : Arch.values()) {
            for (boolean bf16 : new boolean[] {false, true}) {
                try (ResidualNetwork net = ModelRegistry.create(new ModelConfig(arch, 50, 5, false, 0))) {
                    net.train(true);
                    net.toChannelsLast();
                    Sgd sgd = new Sgd(Parameters.of(net), 0.01, 0.9, 1e-4, false);
                    List<Integer> all = IntStream.range(0, sgd.params().size()).boxed().toList();
                    List<Boolean> alike = new ArrayList<>();
                    Optimizer looking = new Optimizer() {
                        @Override
                        public void step() {
                            alike.add(sgd.laidOutAlike(all, List.of("momentum_buffer")));
                            sgd.step();
                        }
                        @Override
                        public void setLr(double lr) { sgd.setLr(lr); }
                        @Override
                        public double lr() { return sgd.lr(); }
                        @Override
                        public List<Tensor> params() { return sgd.params(); }
                        @Override
                        public Map<String, Object> stateDict() { return sgd.stateDict(); }
                        @Override
                        public void loadStateDict(Map<?, ?> state, String source) { sgd.loadStateDict(state, source); }
                    };
                    try (NativeScope scope = NativeScope.open()) {
                        Tensor x = torch.randn(2, 3, 32, 32).contiguous(torch.MemoryFormat.ChannelsLast);
                        Tensor y = torch.randint(5, new long[] {2});
                        TrainStep step = new TrainStep(net, looking, bf16);
                        step.run(x, y, 0, false);
                        step.run(x, y, 1, false);
                    }
                    assertThat(alike).as("%s bf16=%s", arch, bf16).containsExactly(true, true);
                }
            }
        }
    }
}
