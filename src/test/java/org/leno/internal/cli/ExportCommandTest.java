package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.OrderedDict;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.TorchZip;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.StateDict;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.OnnxRunner;

/**
 * {@code leno export}: from a checkpoint with a weight average to a file that ONNX Runtime runs as
 * our model, with the class names and transform in its metadata; and the refusals.
 */
class ExportCommandTest {
    private static final int SIZE = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    private static ResidualNetwork weights;
    private static ResidualNetwork average;
    private static Path checkpoint;

    /** A resnet50 checkpoint of 3 classes whose state_dict and model_ema differ. */
    @BeforeAll
    static void checkpoint() throws Exception {
        weights = ModelRegistry.create(ModelConfig.of(ModelRegistry.arch("resnet"), 50, 3));
        average = ModelRegistry.create(ModelConfig.of(ModelRegistry.arch("resnet"), 50, 3));
        OnnxRunner.calibrated(weights, 1, SIZE);
        OnnxRunner.calibrated(average, 2, SIZE);
        Map<String, Object> ema = new LinkedHashMap<>();
        ema.put("n_averaged", TensorData.scalarLong(7));
        StateDict.toHost(average).forEach((k, v) -> ema.put("module." + k, v));
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("arch", "resnet");
        root.put("state_dict", new OrderedDict(StateDict.toHost(weights)));
        root.put("model_ema", new OrderedDict(ema));
        checkpoint = dir.resolve("checkpoint.pth.tar");
        TorchZip.write(checkpoint, root);
        Files.write(dir.resolve("classes.txt"), List.of("cat", "dog", "hen"));
    }

    @AfterAll
    static void close() {
        weights.close();
        average.close();
    }

    private static Cli.Result export(String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("export", "-a", "resnet", "--model_depth", "50",
                "--n_classes", "3", "--weights", checkpoint.toString(), "--val-resize", "36", "--val-crop-size",
                Integer.toString(SIZE)));
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void emaExportRunsAsTheAverageForAnyBatchWithItsMetadata() throws Exception {
        Path out = dir.resolve("ema.onnx");
        Cli.Result r = export("--ema", "--class-names", dir.resolve("classes.txt").toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        try (OnnxRunner ort = OnnxRunner.of(out)) {
            for (int n : new int[] {1, 3, 4}) {
                float[] x = OnnxRunner.input(100 + n, n, SIZE);
                float[] got = ort.run(x, n, SIZE);
                assertThat(got).hasSize(3 * n);
                assertThat(OnnxRunner.maxAbsDiff(got, OnnxRunner.torchLogits(average, x, n, SIZE))).isLessThanOrEqualTo(1e-4);
                // not the checkpoint's own weights: the average was exported
                assertThat(OnnxRunner.maxAbsDiff(got, OnnxRunner.torchLogits(weights, x, n, SIZE))).isGreaterThan(1e-2);
            }
            var meta = ort.session().getMetadata();
            assertThat(meta.getProducerName()).isEqualTo("leno");
            Map<String, String> custom = meta.getCustomMetadata();
            assertThat(JSON.readValue(custom.get("class_names"), String[].class)).containsExactly("cat", "dog", "hen");
            assertThat(custom).containsEntry("arch", "resnet").containsEntry("depth", "50").containsEntry("n_classes", "3")
                    .containsEntry("weights", "model_ema").containsEntry("val_resize", "36")
                    .containsEntry("val_crop_size", "32").containsEntry("interpolation", "bilinear")
                    .containsEntry("mean", "[0.485,0.456,0.406]").containsEntry("std", "[0.229,0.224,0.225]");
            assertThat(ort.session().getInputInfo().keySet()).containsExactly("input");
            assertThat(ort.session().getOutputInfo().keySet()).containsExactly("logits");
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-r--r--");
    }

    @Test
    void safetensorsCarryTheWeightsAndTheSameMetadata() throws Exception {
        Path out = dir.resolve("weights.safetensors");
        Cli.Result r = export("--format", "safetensors", "--class-names", dir.resolve("classes.txt").toString(),
                "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Map<String, TensorData> read = SafeTensors.read(out);
        assertThat(read).isEqualTo(StateDict.toHost(weights));
        byte[] bytes = Files.readAllBytes(out);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        JsonNode meta = JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8)).get("__metadata__");
        assertThat(meta.get("format").asText()).isEqualTo("pt");
        assertThat(meta.get("class_names").asText()).isEqualTo("[\"cat\",\"dog\",\"hen\"]");
        assertThat(meta.get("weights").asText()).isEqualTo("state_dict");
        assertThat(meta.get("val_crop_size").asText()).isEqualTo("32");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(out))).isEqualTo("rw-r--r--");
    }

    @Test
    void anExistingFileIsReplacedOnlyWithForce() throws Exception {
        Path out = dir.resolve("exists.onnx");
        Files.writeString(out, "keep me");
        Cli.Result r = export("--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno export: error: --out " + out + " exists; pass --force to replace it");
        assertThat(Files.readString(out)).isEqualTo("keep me");
        Cli.Result forced = export("--out", out.toString(), "--force");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(Files.size(out)).isGreaterThan(1_000_000);
    }

    @Test
    void aSymbolicLinkIsRefusedEvenWithForce() throws Exception {
        Path target = dir.resolve("target.txt");
        Files.writeString(target, "keep me");
        Path link = Files.createSymbolicLink(dir.resolve("link.onnx"), target);
        Cli.Result r = export("--out", link.toString(), "--force");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno export: error: --out " + link
                + " is a symbolic link; refusing to write through it");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readString(target)).isEqualTo("keep me");
    }

    @Test
    void aReadOnlyFolderIsRefusedAndLeftEmpty() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            Path out = folder.resolve("model.onnx");
            Cli.Result r = export("--out", out.toString());
            assertThat(r.exitCode()).isEqualTo(1);
            assertThat(r.err().strip()).isEqualTo("leno export: error: --out " + out + ": the folder " + folder
                    + " is read-only");
            try (Stream<Path> left = Files.list(folder)) {
                assertThat(left).isEmpty();
            }
        } finally {
            Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aCheckpointOfAnUnknownArchitectureIsOneLineAndWritesNothing() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("unknown"));
        Path vit = folder.resolve("vit.pth.tar");
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("arch", "vit_b_16");
        root.put("state_dict", new OrderedDict(Map.of("cls_token", TensorData.ofFloats(new long[] {1}, 0f))));
        TorchZip.write(vit, root);
        Path out = folder.resolve("vit.onnx");
        Cli.Result r = Cli.run("export", "-a", "resnet", "--weights", vit.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno export: error: " + vit + " is a checkpoint of architecture"
                + " 'vit_b_16', which leno does not know (it knows resnet, preactresnet, lenoresnet)");
        try (Stream<Path> left = Files.list(folder)) {
            assertThat(left.map(p -> p.getFileName().toString()).toList()).containsExactly("vit.pth.tar");
        }
    }

    @Test
    void badFormatIsAFlagError() {
        Cli.Result r = export("--format", "tflite", "--out", dir.resolve("x.tflite").toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err().lines().count()).isEqualTo(1);
        assertThat(r.err()).contains("'--format'").contains("tflite");
    }
}
