package org.leno.interop.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.model.ResidualNetwork;
import org.leno.testing.OnnxRunner;

/** The exported graph, run in ONNX Runtime, computes our eval-mode forward. */
class OnnxExportTest {
    private static final int SIZE = 48;
    private static final int BATCH = 4;

    @ParameterizedTest(name = "{0}{1}")
    @CsvSource({"resnet,50", "resnet,101", "preactresnet,50", "preactresnet,101", "lenoresnet,50", "lenoresnet,101",
            "lenoresnet,200"})
    void onnxRuntimeComputesOurLogits(String arch, int depth) throws Exception {
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(ModelRegistry.arch(arch), depth, 5))) {
            OnnxRunner.calibrated(net, -depth, SIZE);
            float[] x = OnnxRunner.input(depth, BATCH, SIZE);
            float[] ours = OnnxRunner.torchLogits(net, x, BATCH, SIZE);
            byte[] model = OnnxExport.model(net, Map.of(), new OnnxExport.Options(!Boolean.getBoolean("nofold"), SIZE)).toByteArray();
            try (OnnxRunner ort = OnnxRunner.of(model)) {
                float[] theirs = ort.run(x, BATCH, SIZE);
                System.out.printf("%s%d: max |logit| %.3g, max diff %.3g%n", arch, depth, OnnxRunner.maxAbs(ours),
                        OnnxRunner.maxAbsDiff(ours, theirs));
                assertThat(OnnxRunner.maxAbsDiff(ours, theirs)).isLessThanOrEqualTo(1e-4);
            }
        }
    }
}
