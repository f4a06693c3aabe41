package org.leno.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelCard;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.testing.Fixtures;

/**
 * {@link Classifier#evaluate} on the three images of fixtures/tta (classes a and b) with torchvision's
 * ResNet-50 of deterministic weights, whose logits scripts/make_eval_fixtures.py recorded.
 */
class ClassifierEvaluateTest {
    static final List<String> NAMES = List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j");
    static final JsonNode EXPECTED = Fixtures.json("tta_expected.json");

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void shipTheModel() {
        model = dir.resolve("resnet50.safetensors");
        ModelCard card = new ModelCard(ModelConfig.of(Arch.RESNET, 50, 10), NAMES, new ModelCard.Preprocessing(64, 56, "pil",
                "bilinear", List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), ModelCard.GREY_REPLICATE));
        try (ResidualNetwork net = ModelRegistry.create(card.model()); NativeScope scope = NativeScope.open()) {
            Fixtures.fillDeterministic(net);
            SafeTensors.write(model, StateDict.lazy(net), ModelFile.safetensorsMetadata(card));
        }
    }

    /** Images right under torchvision's logits for {@code mode}: wide and square are class a, tall is b. */
    static int expectedRight(String mode) {
        int right = 0;
        for (String image : List.of("a/wide.png", "a/square.png", "b/tall.png")) {
            JsonNode logits = EXPECTED.get(image).get(mode);
            int best = 0;
            for (int c = 1; c < 10; c++) {
                best = logits.get(c).asDouble() > logits.get(best).asDouble() ? c : best;
            }
            right += best == (image.startsWith("a/") ? 0 : 1) ? 1 : 0;
        }
        return right;
    }

    @Test
    void theNumbersOfTheFolder() throws Exception {
        Path folder = dir.resolve("folder");
        Fixtures.copyTree(Fixtures.path("tta"), folder);
        Files.writeString(folder.resolve("b/broken.jpg"), "not a jpeg");
        try (Classifier classifier = Classifier.load(model)) {
            for (String mode : List.of("none", "ten-crop")) {
                Evaluation e = classifier.evaluate(folder, mode);
                assertThat(e.count()).isEqualTo(3);
                assertThat(e.unreadable()).hasSize(1).allMatch(u -> u.contains("broken.jpg"));
                assertThat(e.acc1()).as(mode).isCloseTo(100.0 * expectedRight(mode) / 3, within(1e-9));
                assertThat(e.labels()).isEqualTo(NAMES);
                assertThat(Arrays.stream(e.confusion()[0]).sum()).isEqualTo(2);
                assertThat(Arrays.stream(e.confusion()[1]).sum()).isEqualTo(1);
                assertThat(e.perClass().stream().filter(c -> c.support() > 0).map(Evaluation.ClassMetrics::label)).containsExactly("a", "b");
                assertThat(e.expectedCalibrationError()).isBetween(0.0, 1.0);
                Path out = dir.resolve("eval-" + mode);
                e.write(out);
                assertThat(out.resolve("summary.json")).exists();
            }
        }
    }

    @Test
    void aFolderWithAnUnknownClassIsOneLine() throws Exception {
        Path folder = dir.resolve("unknown");
        Files.createDirectories(folder.resolve("cow"));
        Files.copy(Fixtures.path("rgb.png"), folder.resolve("cow/x.png"));
        try (Classifier classifier = Classifier.load(model)) {
            assertThatThrownBy(() -> classifier.evaluate(folder)).isInstanceOf(LenoException.class).hasMessage(folder
                    + ": the classes do not match the model's: unknown to the model cow; the model's classes missing here "
                    + "a, b, c, d, e, f, g, h (and 2 more)");
        }
    }
}
