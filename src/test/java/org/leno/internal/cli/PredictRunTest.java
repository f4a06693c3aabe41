package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.TorchZip;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelCard;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.run.RunLayout;
import org.leno.internal.testing.Cli;

/** `leno predict` on what `leno train` wrote: a tiny run on the embedded Fashion-MNIST subset, trained once. */
class PredictRunTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    @TempDir
    static Path dir;
    static Path run;
    static Path image;

    @BeforeAll
    static void trainATinyRun() throws IOException {
        run = dir.resolve("run");
        Cli.Result r = Cli.run("train", "--epochs", "1", "--train-samples", "32", "--val-samples", "16", "-b", "16",
                "--seed", "3", "--train_crop_size", "24", "--val_resize", "28", "--val_crop_size", "24",
                "--result_path", run.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        image = dir.resolve("shoe.png");
        ImageIO.write(grey(28, 28), "png", image.toFile());
    }

    static BufferedImage grey(int w, int h) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.getRaster().setSample(x, y, 0, (x * 7 + y * 13) % 256);
            }
        }
        return b;
    }

    @Test
    void everyCheckpointCarriesTheModelCardAndKeepsTheReferencesKeys() {
        ModelCard expected = new ModelCard(ModelConfig.of(Arch.LENORESNET, 50, 10), FASHION, new ModelCard.Preprocessing(28,
                24, "pil", "bilinear", List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), "replicate"));
        for (String name : List.of(RunLayout.CHECKPOINT, RunLayout.BEST)) {
            Path file = run.resolve(name);
            assertThat(ModelFile.read(file, false).card()).as(name).contains(expected);
            Map<?, ?> root = (Map<?, ?>) WeightFiles.readObject(file);
            assertThat(root.keySet().stream().map(String::valueOf).toList()).as(name).contains("epoch", "arch", "state_dict", "best_acc1", "optimizer", "model_card");
        }
    }

    @Test
    void aRunFolderNeedsNoFlagsAndNamesTheClass() throws IOException {
        Cli.Result one = Cli.run("predict", "--weights", run.toString(), "--topk", "3", image.toString());
        assertThat(one.exitCode()).as(one.err()).isZero();
        List<String> lines = one.out().lines().toList();
        assertThat(lines).hasSize(3);
        for (String line : lines) {
            assertThat(line).matches("^ ?\\d{1,3}\\.\\d\\d%  .+$");
            assertThat(FASHION).contains(line.substring(line.indexOf("%  ") + 3));
        }
        Cli.Result json = Cli.run("predict", "--weights", run.toString(), "--json", image.toString());
        JsonNode top = JSON.readTree(json.out()).get("topk");
        assertThat(top).hasSize(5);
        double previous = 1;
        for (JsonNode t : top) {
            assertThat(t.get("label").asText()).isEqualTo(FASHION.get(t.get("index").asInt()));
            assertThat(t.get("prob").asDouble()).isLessThanOrEqualTo(previous);
            previous = t.get("prob").asDouble();
        }
        assertThat(lines.get(0)).endsWith("%  " + top.get(0).get("label").asText());
        Cli.Result cropped = Cli.run("predict", "--weights", run.toString(), "--json", "--val_crop_size", "28", image.toString());
        assertThat(JSON.readTree(cropped.out()).get("logits")).as("a flag wins over the card")
                .isNotEqualTo(JSON.readTree(json.out()).get("logits"));
    }

    @Test
    void bfloat16LogitsAreCloseToFloat32sAndAnUnknownAmpIsOneLine() throws IOException {
        JsonNode fp32 = JSON.readTree(Cli.run("predict", "--weights", run.toString(), "--json", image.toString()).out()).get("logits");
        Cli.Result bf16 = Cli.run("predict", "--weights", run.toString(), "--json", "--amp", "bf16", image.toString());
        assertThat(bf16.exitCode()).as(bf16.err()).isZero();
        JsonNode low = JSON.readTree(bf16.out()).get("logits");
        double scale = 0;
        double diff = 0;
        for (int i = 0; i < fp32.size(); i++) {
            scale = Math.max(scale, Math.abs(fp32.get(i).asDouble()));
            diff = Math.max(diff, Math.abs(fp32.get(i).asDouble() - low.get(i).asDouble()));
        }
        assertThat(diff).as("bfloat16 really ran, and stayed close").isGreaterThan(0).isLessThan(0.05 * scale);
        Cli.Result half = Cli.run("predict", "--weights", run.toString(), "--amp", "fp16", image.toString());
        assertThat(half.exitCode()).isNotZero();
        assertThat(half.err().strip()).doesNotContain("\n").contains("--amp fp16").contains("none or bf16");
    }

    @Test
    void aFolderIsClassifiedInPathOrderPastAnUndecodableImage() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("images/sub"));
        ImageIO.write(grey(28, 28), "png", dir.resolve("images/a.png").toFile());
        BufferedImage rgb = new BufferedImage(40, 30, BufferedImage.TYPE_INT_ARGB);
        rgb.setRGB(3, 4, 0x80ff0000);
        ImageIO.write(rgb, "png", folder.resolve("b.png").toFile());
        Files.writeString(dir.resolve("images/c.jpg"), "not a jpeg");
        Files.writeString(dir.resolve("images/notes.txt"), "ignored");
        ImageIO.write(grey(5, 5), "png", dir.resolve("images/.hidden.png").toFile());
        Cli.Result r = Cli.run("predict", "--weights", run.toString(), "--json", "-b", "1", "--workers", "2",
                dir.resolve("images").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> files = r.out().lines().map(l -> readFile(l)).toList();
        assertThat(files).containsExactly(dir.resolve("images/a.png").toString(), folder.resolve("b.png").toString());
        assertThat(r.err().strip().lines()).singleElement().asString()
                .startsWith("leno predict: skipped " + dir.resolve("images/c.jpg") + ": not a decodable image");
        Cli.Result text = Cli.run("predict", "--weights", run.toString(), "--topk", "1", dir.resolve("images").toString());
        assertThat(text.out().lines().toList()).hasSize(4).element(0).isEqualTo(dir.resolve("images/a.png").toString());
        assertThat(text.out().lines().toList().get(1)).matches("^  ?\\d{1,3}\\.\\d\\d%  .+$");
    }

    private static String readFile(String jsonLine) {
        try {
            return JSON.readTree(jsonLine).get("file").asText();
        } catch (IOException e) {
            throw new AssertionError(jsonLine, e);
        }
    }

    @Test
    void aCheckpointWithoutCardNamesTheMissingFlagsInOneLine() throws IOException {
        Path reference = dir.resolve("reference.pth.tar");
        Map<Object, Object> root = new LinkedHashMap<>((Map<?, ?>) WeightFiles.readObject(run.resolve(RunLayout.CHECKPOINT)));
        root.remove("model_card");
        root.remove("leno");
        TorchZip.write(reference, root);
        Cli.Result bare = Cli.run("predict", "--weights", reference.toString(), image.toString());
        assertThat(bare.exitCode()).isEqualTo(1);
        assertThat(bare.err()).isEqualTo("leno predict: error: " + reference + " has no model_card (a checkpoint of the "
                + "reference program or of an older leno); pass --model_depth --n_classes --val_resize --val_crop_size"
                + System.lineSeparator());
        Cli.Result flagged = Cli.run("predict", "--weights", reference.toString(), "--model_depth", "50", "--n_classes", "10",
                "--val_resize", "28", "--val_crop_size", "24", "--json", image.toString());
        Cli.Result carded = Cli.run("predict", "--weights", run.toString(), "--json", image.toString());
        assertThat(flagged.exitCode()).as(flagged.err()).isZero();
        assertThat(JSON.readTree(flagged.out()).get("logits")).isEqualTo(JSON.readTree(carded.out()).get("logits"));
    }

    @Test
    void aCardNamingAnUnknownArchitectureIsOneLine() throws IOException {
        Path crafted = dir.resolve("vgg.pth.tar");
        Map<Object, Object> root = new LinkedHashMap<>((Map<?, ?>) WeightFiles.readObject(run.resolve(RunLayout.CHECKPOINT)));
        Map<Object, Object> card = new LinkedHashMap<>((Map<?, ?>) root.get("model_card"));
        card.put("arch", "vgg");
        root.put("model_card", card);
        TorchZip.write(crafted, root);
        Cli.Result r = Cli.run("predict", "--weights", crafted.toString(), image.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err()).isEqualTo("leno predict: error: " + crafted + ": model_card names an unknown architecture 'vgg'; "
                + "valid: resnet, preactresnet, lenoresnet" + System.lineSeparator());
        Cli.Result empty = Cli.run("predict", "--weights", dir.toString(), image.toString());
        assertThat(empty.err().strip()).isEqualTo("leno predict: error: " + dir + ": a folder without model_best.pth.tar or "
                + "checkpoint.pth.tar (not a leno train results folder)");
    }

    @Test
    void aRunFolderExportsWithItsCardsModelNamesAndTransform() throws Exception {
        Path onnx = dir.resolve("run.onnx");
        Cli.Result r = Cli.run("export", "--weights", run.toString(), "--out", onnx.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        ModelCard card = ModelFile.read(run, false).card().orElseThrow();
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(onnx.toString())) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertThat(new ObjectMapper().readValue(meta.get("class_names"), String[].class))
                    .containsExactlyElementsOf(card.classNames()).contains("Ankle boot");
            assertThat(meta).containsEntry("arch", card.model().arch().id())
                    .containsEntry("depth", Integer.toString(card.model().depth()))
                    .containsEntry("n_classes", Integer.toString(card.model().nClasses()))
                    .containsEntry("val_resize", Integer.toString(card.preprocessing().resize()))
                    .containsEntry("val_crop_size", Integer.toString(card.preprocessing().crop()));
        }
    }
}
