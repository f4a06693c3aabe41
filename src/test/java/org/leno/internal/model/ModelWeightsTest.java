package org.leno.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;

class ModelWeightsTest {

    static ResidualNetwork net(Arch arch, int depth, int classes, long seed) {
        Natives.seed(seed);
        return ModelRegistry.create(ModelConfig.of(arch, depth, classes));
    }

    @Test
    void savedWeightsLoadIntoAFreshModelExactlyInBothFormats(@TempDir Path dir) {
        for (String name : new String[] {"w.pth", "w.safetensors"}) {
            try (ResidualNetwork a = net(Arch.LENORESNET, 50, 10, 1); ResidualNetwork b = net(Arch.LENORESNET, 50, 10, 2)) {
                Map<String, TensorData> sa = StateDict.toHost(a);
                assertThat(StateDict.toHost(b).get("fc.weight")).isNotEqualTo(sa.get("fc.weight"));
                ModelWeights.save(a, dir.resolve(name));
                ModelWeights.load(b, dir.resolve(name));
                Map<String, TensorData> sb = StateDict.toHost(b);
                assertThat(sb.keySet()).containsExactlyElementsOf(sa.keySet());
                sa.forEach((k, v) -> assertThat(sb.get(k)).as(name + " " + k).isEqualTo(v));
            }
        }
    }

    @Test
    void aMismatchNamesTheFirstKeysAndShapesAndLoadsNothing(@TempDir Path dir) {
        Path file = dir.resolve("ten.pt");
        try (ResidualNetwork ten = net(Arch.RESNET, 50, 10, 1); ResidualNetwork thousand = net(Arch.RESNET, 50, 1000, 2)) {
            ModelWeights.save(ten, file);
            Map<String, TensorData> before = StateDict.toHost(thousand);
            assertThatThrownBy(() -> ModelWeights.load(thousand, file))
                    .isInstanceOf(InterchangeException.class)
                    .hasMessageContaining("ten.pt does not fit the model")
                    .hasMessageContaining("fc.weight is 10x2048 in the file, 1000x2048 in the model")
                    .hasMessageContaining("nothing was loaded");
            Map<String, TensorData> after = StateDict.toHost(thousand);
            before.forEach((k, v) -> assertThat(after.get(k)).as(k).isEqualTo(v));
        }
    }

    @Test
    void missingAndUnexpectedKeysAreNamed(@TempDir Path dir) {
        try (ResidualNetwork net = net(Arch.PREACTRESNET, 50, 10, 1)) {
            Map<String, TensorData> sd = new LinkedHashMap<>(StateDict.toHost(net));
            sd.remove("bn.weight");
            sd.put("extra.thing", TensorData.scalarLong(1));
            Path file = dir.resolve("odd.pt");
            WeightFiles.writeStateDict(file, sd);
            assertThatThrownBy(() -> ModelWeights.load(net, file))
                    .hasMessageContaining("1 missing key(s) bn.weight")
                    .hasMessageContaining("1 unexpected key(s) extra.thing");
        }
    }

    @Test
    void aCheckpointOfAnotherArchitectureOrDepthIsOneClearError(@TempDir Path dir) {
        Path ckpt = fixtureDir().resolve("reference_checkpoint.pth.tar");
        try (ResidualNetwork resnet = net(Arch.RESNET, 50, 10, 1); ResidualNetwork leno = net(Arch.LENORESNET, 101, 10, 1)) {
            assertThatThrownBy(() -> ModelWeights.load(resnet, ckpt))
                    .hasMessageContaining("is a 'lenoresnet' checkpoint, not 'resnet'");
            Path file = dir.resolve("leno101.pt");
            ModelWeights.save(leno, file);
            try (ResidualNetwork leno50 = net(Arch.LENORESNET, 50, 10, 1)) {
                assertThatThrownBy(() -> ModelWeights.load(leno50, file))
                        .hasMessageContaining("3-4-23-3 blocks per stage, not lenoresnet50's 3-4-6-3");
            }
        }
    }

    private static Path fixtureDir() {
        return org.leno.internal.testing.Fixtures.path("plain_state_dict.pt").getParent();
    }

    @Test
    void aHugeBlockIndexInAKeyIsNotANumberFormatException() {
        TensorData t = TensorData.scalarFloat(1);
        Map<String, TensorData> sd = new LinkedHashMap<>();
        for (int stage = 1; stage <= 4; stage++) {
            sd.put("layer" + stage + ".0.conv1.weight", t);
        }
        sd.put("layer2.99999999999999999999.conv1.weight", t);
        assertThat(ModelWeights.blocksPerStage(sd)).isEqualTo("1-1-1-1");
    }
}
