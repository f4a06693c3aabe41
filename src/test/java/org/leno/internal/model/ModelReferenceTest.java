package org.leno.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.leno.internal.interop.DType;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;

/** Every model against the counts, tables and MACs measured on the reference. */
class ModelReferenceTest {

    static Stream<Arguments> models() {
        return ReferenceTables.models().values().stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("models")
    void countsMacsAndTransitionsEqualTheReference(ReferenceTables.ModelRow row) {
        Natives.threads(0);
        ResidualNetwork net = ModelRegistry.create(config(row.model()));
        try {
            Map<String, Tensor> sd = StateDict.of(net);
            assertThat(net.parameterCount()).as("params").isEqualTo(row.params());
            assertThat(sd).as("state_dict entries").hasSize(row.stateDictEntries());
            assertThat(Arrays.stream(net.blocksPerStage()).mapToObj(String::valueOf)
                    .collect(Collectors.joining("-"))).isEqualTo(row.blocksPerStage());
            assertThat(net.transitionBlocks()).isEqualTo(row.transitionBlocks());
            long convs = sd.keySet().stream().filter(k -> sd.get(k).dim() == 4).count();
            long bns = sd.keySet().stream().filter(k -> k.endsWith(".running_var") || k.equals("running_var")).count();
            assertThat(convs).as("conv2d").isEqualTo(row.conv2d());
            assertThat(bns).as("batchnorm2d").isEqualTo(row.batchnorm2d());
            assertThat(net.macs(32)).as("MACs at 32").isEqualTo(row.macs32());
            assertThat(net.macs(224)).as("MACs at 224").isEqualTo(row.macs224());
        } finally {
            net.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"resnet50", "preactresnet50", "lenoresnet50"})
    void stateDictKeysOrderShapesAndTypesEqualTheReference(String model) {
        ResidualNetwork net = ModelRegistry.create(config(model));
        try {
            Map<String, Tensor> sd = StateDict.of(net);
            var buffers = StateDict.toHost(net);
            List<String> ours = new ArrayList<>();
            sd.forEach((k, v) -> {
                long[] s = Tensors.shape(v);
                String shape = s.length == 0 ? "scalar"
                        : Arrays.stream(s).mapToObj(String::valueOf).collect(Collectors.joining("x"));
                ours.add(k + "\t" + shape + "\t" + buffers.get(k).dtype().pythonName());
            });
            List<String> reference = ReferenceTables.shapes(model).stream()
                    .map(r -> r.key() + "\t" + r.shape() + "\t" + r.dtype()).toList();
            assertThat(ours).containsExactlyElementsOf(reference);
            assertThat(buffers.get(reference.get(reference.size() - 1).split("\t")[0]).dtype()).isEqualTo(DType.F32);
        } finally {
            net.close();
        }
    }

    @Test
    void bundledReferenceCopiesEqualSharedReferenceWhenPresent() throws Exception {
        Path shared = Path.of("..", "shared", "reference");
        if (!Files.isDirectory(shared)) {
            return;
        }
        try (var files = Files.list(shared)) {
            for (Path f : files.toList()) {
                assertThat(ReferenceTables.text(f.getFileName().toString())).as(f.toString())
                        .isEqualTo(Files.readString(f));
            }
        }
    }

    static ModelConfig config(String model) {
        String id = model.replaceAll("\\d+$", "");
        int depth = Integer.parseInt(model.substring(id.length()));
        return ModelConfig.of(ModelRegistry.arch(id), depth, 1000);
    }
}
