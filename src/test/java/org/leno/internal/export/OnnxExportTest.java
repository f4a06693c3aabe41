package org.leno.internal.export;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.leno.internal.export.proto.OnnxProto.ModelProto;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.StateDict;
import org.leno.internal.testing.OnnxRunner;

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
            byte[] model = OnnxExport.model(net, Map.of(), new OnnxExport.Options(true, SIZE)).toByteArray();
            try (OnnxRunner ort = OnnxRunner.of(model)) {
                float[] theirs = ort.run(x, BATCH, SIZE);
                assertThat(OnnxRunner.maxAbs(ours)).as("logits big enough for the test to see a wrong graph").isGreaterThan(0.1);
                assertThat(OnnxRunner.maxAbsDiff(ours, theirs)).isLessThanOrEqualTo(1e-4);
            }
        }
    }

    /**
     * Folded and unfolded exports, run as written (ONNX Runtime's own Conv+BatchNorm fusion off),
     * agree to 1e-5 of the logits' scale, and each matches libtorch; the unfolded graph has a
     * BatchNormalization node for each BatchNorm, the folded one only for those not after a convolution.
     */
    @Test
    void foldingBatchNormEqualsBatchNormNodes() throws Exception {
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(ModelRegistry.arch("lenoresnet"), 50, 5))) {
            OnnxRunner.calibrated(net, 3, SIZE);
            float[] x = OnnxRunner.input(4, BATCH, SIZE);
            float[] ours = OnnxRunner.torchLogits(net, x, BATCH, SIZE);
            ModelProto folded = OnnxExport.model(net, Map.of(), new OnnxExport.Options(true, 0));
            ModelProto nodes = OnnxExport.model(net, Map.of(), new OnnxExport.Options(false, 0));
            assertThat(count(nodes, "BatchNormalization")).isEqualTo(net.batchNorms().size());
            // LeNo-50: bn0 of the 8 middle blocks that are not second, bn3 of the 4 end blocks
            assertThat(count(folded, "BatchNormalization")).isEqualTo(12);
            float[] a;
            float[] b;
            try (OnnxRunner ort = OnnxRunner.of(folded.toByteArray(), false)) {
                a = ort.run(x, BATCH, SIZE);
            }
            try (OnnxRunner ort = OnnxRunner.of(nodes.toByteArray(), false)) {
                b = ort.run(x, BATCH, SIZE);
            }
            assertThat(OnnxRunner.maxAbsDiff(a, b)).isLessThanOrEqualTo(1e-5 * OnnxRunner.maxAbs(b));
            assertThat(OnnxRunner.maxAbsDiff(a, ours)).isLessThanOrEqualTo(1e-4);
            assertThat(OnnxRunner.maxAbsDiff(b, ours)).isLessThanOrEqualTo(1e-4);
        }
    }

    /** Unfolded, the graph holds each float tensor of the state dict as an initializer of the same name. */
    @Test
    void unfoldedGraphHoldsEveryWeightUnderItsStateDictName() {
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(ModelRegistry.arch("preactresnet"), 50, 5))) {
            ModelProto m = OnnxExport.model(net, Map.of("k", "v"), new OnnxExport.Options(false, SIZE));
            // every float tensor of the state dict is an initializer under its own name (num_batches_tracked is not)
            long floats = StateDict.toHost(net).keySet().stream().filter(k -> !k.endsWith("num_batches_tracked")).count();
            assertThat(m.getGraph().getInitializerCount()).isEqualTo(floats);
            assertThat(m.getMetadataProps(0).getKey()).isEqualTo("k");
            assertThat(m.getOpsetImport(0).getVersion()).isEqualTo(17);
        }
    }

    private static long count(ModelProto m, String op) {
        return m.getGraph().getNodeList().stream().filter(n -> n.getOpType().equals(op)).count();
    }
}
