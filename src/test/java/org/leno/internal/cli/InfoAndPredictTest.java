package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.Fixtures;

class InfoAndPredictTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void infoJsonHasTheReferenceNumbers() throws Exception {
        Cli.Result r = Cli.run("info", "-a", "lenoresnet", "--model_depth", "50", "--image-size", "32", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        assertThat(j.get("params").asLong()).isEqualTo(25586216L);
        assertThat(j.get("state_dict_entries").asInt()).isEqualTo(321);
        assertThat(j.get("macs").asLong()).isEqualTo(95043584L);
        assertThat(j.get("blocks_per_stage").toString()).isEqualTo("[3,4,6,3]");
        assertThat(j.get("transition_blocks").toString()).isEqualTo("[1,4,8,14]");
    }

    @Test
    void infoTextAndBadFlagsAreOneLine() {
        Cli.Result r = Cli.run("info", "-a", "preactresnet", "--model-depth", "50", "--n_classes", "10", "--image-size", "32");
        assertThat(r.exitCode()).isZero();
        assertThat(r.out()).contains("preactresnet-50 (pre-act ResNet), 10 classes").contains("1, 4, 8, 14");
        Cli.Result bad = Cli.run("info", "-a", "resnet", "--model_depth", "500");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.err().strip()).isEqualTo("leno info: error: no resnet of depth 500; valid depths: 50, 101, 152, 200");
        Cli.Result unknown = Cli.run("info", "--bogus");
        assertThat(unknown.exitCode()).isEqualTo(2);
        assertThat(unknown.err().strip().lines()).hasSize(1);
    }

    @Test
    void predictGivesTorchvisionsLogitsFromSavedWeights(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("resnet50-10.pth");
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.RESNET, 50, 10))) {
            Fixtures.fillDeterministic(net);
            ModelWeights.save(net, weights);
        }
        JsonNode expected = Fixtures.json("predict_expected.json");
        List<String> images = List.of("rgb.png", "grey.png", "rgba.png");
        String[] args = new String[13 + images.size()];
        String[] head = {"predict", "-a", "resnet", "--model_depth", "50", "--n_classes", "10", "--weights",
                weights.toString(), "--val_resize", "64", "--val_crop_size", "64"};
        System.arraycopy(head, 0, args, 0, head.length);
        for (int i = 0; i < images.size(); i++) {
            args[head.length + i] = Fixtures.path(images.get(i)).toString();
        }
        Cli.Result text = Cli.run(args);
        assertThat(text.exitCode()).as(text.err()).isZero();
        String[] withJson = java.util.Arrays.copyOf(args, args.length + 1);
        withJson[args.length] = "--json";
        Cli.Result r = Cli.run(withJson);
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode line = JSON.readTree(lines.get(i));
            assertThat(line.get("file").asText()).endsWith(images.get(i));
            JsonNode want = expected.get(images.get(i));
            double maxAbs = 0;
            double maxDiff = 0;
            for (int c = 0; c < 10; c++) {
                maxAbs = Math.max(maxAbs, Math.abs(want.get(c).asDouble()));
                maxDiff = Math.max(maxDiff, Math.abs(line.get("logits").get(c).asDouble() - want.get(c).asDouble()));
            }
            assertThat(maxDiff / maxAbs).as(images.get(i)).isLessThan(1e-4);
            int argmax = 0;
            for (int c = 1; c < 10; c++) {
                if (want.get(c).asDouble() > want.get(argmax).asDouble()) {
                    argmax = c;
                }
            }
            assertThat(line.get("topk").get(0).get("index").asInt()).isEqualTo(argmax);
            assertThat(line.get("topk")).hasSize(5);
            assertThat(text.out()).contains(images.get(i));
        }
    }

    @Test
    void predictNamesAnUnreadableImage(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("w.safetensors");
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 3))) {
            ModelWeights.save(net, weights);
        }
        Path broken = dir.resolve("broken.jpg");
        Files.writeString(broken, "this is not a jpeg");
        Cli.Result r = Cli.run("predict", "--n_classes", "3", "--weights", weights.toString(), broken.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("leno predict: error: " + broken + ": not a decodable image (not an image format");
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
        Path rgb = org.leno.internal.testing.Fixtures.path("rgb.png");
        Cli.Result limited = Cli.run("predict", "--n_classes", "3", "--weights", weights.toString(),
                "--max-image-pixels", "4095", rgb.toString());
        assertThat(limited.exitCode()).isEqualTo(1);
        assertThat(limited.err().strip()).isEqualTo("leno predict: error: " + rgb
                + ": PNG header claims 64x64 pixels, over --max-image-pixels 4095 (decompression bomb?)");
        assertThat(Cli.run("predict", "--n_classes", "3", "--weights", weights.toString(),
                "--max-image-pixels", "4096", rgb.toString()).exitCode()).isEqualTo(0);
        Cli.Result missing = Cli.run("predict", "--n_classes", "3", "--weights", dir.resolve("none.pth").toString(),
                broken.toString());
        assertThat(missing.err().strip()).endsWith("none.pth: no such file");
    }
}
