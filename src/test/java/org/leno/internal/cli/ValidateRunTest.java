package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.Fixtures;

/** `leno validate` end to end, on a tiny run of `leno train` on the embedded Fashion-MNIST subset, trained once. */
class ValidateRunTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int VAL_IMAGES = 200;

    @TempDir
    static Path dir;
    static Path run;

    @BeforeAll
    static void trainATinyRun() {
        run = dir.resolve("run");
        Cli.Result r = Cli.run("train", "--epochs", "1", "--train-samples", "64", "--val-samples", String.valueOf(VAL_IMAGES),
                "-b", "16", "--seed", "3", "--train_crop_size", "24", "--val_resize", "28", "--val_crop_size", "24",
                "--result_path", run.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    @Test
    void acc1EqualsTheTrainersToTheImageAndEveryFileIsWritten() throws IOException {
        Cli.Result r = Cli.run("validate", "--weights", run.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        Path out = run.resolve("eval-val");
        JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
        List<String> val = Files.readAllLines(run.resolve("val.log"));
        String[] logged = val.get(1).split("\t");
        assertThat(s.get("images").asInt()).isEqualTo(VAL_IMAGES);
        long correct = Math.round(s.get("acc1").asDouble() * VAL_IMAGES / 100);
        assertThat(Math.round(Double.parseDouble(logged[2]) * VAL_IMAGES / 100)).as("images right, val.log").isEqualTo(correct);
        assertThat(String.format(Locale.ROOT, "%.2f", s.get("acc1").asDouble())).isEqualTo(logged[2]);
        assertThat(String.format(Locale.ROOT, "%.2f", s.get("acc5").asDouble())).isEqualTo(logged[3]);
        assertThat(s.get("loss").asDouble()).isCloseTo(Double.parseDouble(logged[1]), within(1e-3 * Math.max(1, s.get("loss").asDouble())));
        assertThat(r.out()).contains(String.format(Locale.ROOT, " * Acc@1 %.3f", s.get("acc1").asDouble()));
        assertThat(s.get("data").asText()).contains("embedded").contains("200 images");
        assertThat(s.get("model_card").get("class_names").get(9).asText()).isEqualTo("Ankle boot");
        assertThat(s.get("flags").toString()).isEqualTo("[\"validate\",\"--weights\",\"" + run + "\"]");
        for (String f : List.of("per_class.csv", "confusion.csv", "confusion.png", "confused_pairs.csv", "reliability.png",
                "predictions.csv")) {
            assertThat(out.resolve(f)).isNotEmptyFile();
        }
        assertThat(Files.readAllLines(out.resolve("predictions.csv"))).hasSize(VAL_IMAGES + 1);
        assertThat(Files.readAllLines(out.resolve("per_class.csv")).get(1)).startsWith("0,T-shirt/top,20,");
    }

    @Test
    void tenCropReportsItsGainAndAnUnreadableImageIsCountedNotFatal() throws IOException {
        Path data = dir.resolve("folder");
        Fixtures.copyTree(Fixtures.path("tta"), data.resolve("tmp"));
        Files.createDirectories(data.resolve("Bag"));
        Files.createDirectories(data.resolve("Trouser"));
        Files.move(data.resolve("tmp/a/wide.png"), data.resolve("Bag/wide.png"));
        Files.move(data.resolve("tmp/a/square.png"), data.resolve("Trouser/square.png"));
        Files.move(data.resolve("tmp/b/tall.png"), data.resolve("Trouser/tall.png"));
        Files.writeString(data.resolve("Bag/broken.png"), "not a png");
        try (var s = Files.walk(data.resolve("tmp"))) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Path out = dir.resolve("tta-eval");
        Cli.Result r = Cli.run("validate", "--weights", run.resolve("checkpoint.pth.tar").toString(), "--data", data.toString(),
                "--val_resize", "32", "--tta", "ten-crop", "--out", out.toString(), "-b", "7");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.err()).contains("leno validate: skipped ").contains("broken.png");
        assertThat(r.out()).contains("=> ten-crop: Acc@1 ").contains("for the plain centre crop");
        JsonNode s = JSON.readTree(out.resolve("summary.json").toFile());
        assertThat(s.get("images").asInt()).isEqualTo(3);
        assertThat(s.get("unreadable_images").asInt()).isEqualTo(1);
        assertThat(s.get("tta").get("views").asInt()).isEqualTo(10);
        assertThat(s.get("tta").get("acc1_gain").asDouble())
                .isEqualTo(s.get("acc1").asDouble() - s.get("tta").get("plain").get("acc1").asDouble(), within(1e-9));
        assertThat(s.get("classes_evaluated").asInt()).isEqualTo(2);
        assertThat(s.get("model_classes").asInt()).isEqualTo(10);
    }
}
