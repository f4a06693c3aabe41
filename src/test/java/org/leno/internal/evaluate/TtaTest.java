package org.leno.internal.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.data.datasets.ImageFolder;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.predict.FoldedForward;
import org.leno.internal.predict.ImageClassifier;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.predict.Overrides;
import org.leno.internal.testing.Fixtures;

/**
 * Test-time augmentation against torchvision 0.14 (scripts/make_eval_fixtures.py): three images of
 * odd sizes through Resize(64), then the centre crop and its mirror, FiveCrop(56) or TenCrop(56);
 * each view's input, and the logits of torchvision's ResNet-50 (deterministic weights) averaged over the views.
 */
class TtaTest {
    private static final List<String> IMAGES = List.of("a/wide.png", "a/square.png", "b/tall.png");
    private static final ValTransform TRANSFORM = ValTransform.of(64, 56);
    private static final JsonNode EXPECTED = Fixtures.json("tta_expected.json");

    @Test
    void viewsAreTorchvisionsCrops() {
        ImageDecoder decoder = ImageDecoder.withDefaultLimit();
        for (String image : IMAGES) {
            for (Tta tta : Tta.values()) {
                JsonNode want = EXPECTED.get(image).get(tta.flag() + " inputs");
                List<float[]> views;
                try (Mat rgb = decoder.decode(Fixtures.path("tta/" + image))) {
                    views = tta.inputs(rgb, TRANSFORM);
                }
                assertThat(views).as("%s %s", image, tta).hasSize(tta.views()).hasSize(want.size());
                for (int v = 0; v < views.size(); v++) {
                    float[] x = views.get(v);
                    double sum = 0;
                    double weighted = 0;
                    for (int i = 0; i < x.length; i++) {
                        sum += x[i];
                        weighted += x[i] * (double) (i % 97);
                    }
                    String what = image + " " + tta.flag() + " view " + v;
                    assertThat(sum).as(what + " sum").isCloseTo(want.get(v).get(0).asDouble(), within(1e-2));
                    assertThat((double) x[0]).as(what + " first").isCloseTo(want.get(v).get(1).asDouble(), within(1e-5));
                    assertThat((double) x[x.length - 1]).as(what + " last").isCloseTo(want.get(v).get(2).asDouble(), within(1e-5));
                    assertThat(weighted).as(what + " weighted sum").isCloseTo(want.get(v).get(3).asDouble(), within(0.5));
                }
            }
        }
    }

    @Test
    void tenCropGeometry() {
        // 85x64 after the resize, 56 crops: corners, centre at round(29/2) = 14 (half to even) and round(8/2) = 4
        List<Tta.View> views = Tta.TEN_CROP.views(85, 64, 56);
        assertThat(views.subList(0, 5)).containsExactly(new Tta.View(0, 0, false), new Tta.View(29, 0, false),
                new Tta.View(0, 8, false), new Tta.View(29, 8, false), new Tta.View(14, 4, false));
        // the mirrored image's crops, mapped back: its centre at 14 is the original's 29 - 14 = 15
        assertThat(views.subList(5, 10)).containsExactly(new Tta.View(29, 0, true), new Tta.View(0, 0, true),
                new Tta.View(29, 8, true), new Tta.View(0, 8, true), new Tta.View(15, 4, true));
        assertThat(Tta.FIVE_CROP.plainView()).isEqualTo(4);
        assertThat(Tta.FLIP.views(85, 64, 56)).containsExactly(new Tta.View(14, 4, false), new Tta.View(14, 4, true));
    }

    @Test
    void aCropLargerThanTheResizeIsOneLine() {
        assertThatThrownBy(() -> Tta.TEN_CROP.check(ValTransform.of(28, 32)))
                .hasMessage("--tta ten-crop: the crop (32) is larger than the resized shorter side (28), so there are no "
                        + "corner or mirrored crops to take; use --val_resize 32 or more, or no --tta");
        Tta.NONE.check(ValTransform.of(28, 32));
        assertThatThrownBy(() -> Tta.parse("six-crop")).hasMessage("--tta six-crop: expected one of none, flip, five-crop, ten-crop");
    }

    @Test
    void averagedLogitsEqualTorchvisions(@TempDir Path dir) {
        Path weights = dir.resolve("resnet50-10.pth");
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.RESNET, 50, 10))) {
            Fixtures.fillDeterministic(net);
            ModelWeights.save(net, weights);
        }
        Overrides overrides = new Overrides(Optional.of(Arch.RESNET), OptionalInt.of(50), OptionalInt.of(10), OptionalInt.of(64),
                OptionalInt.of(56), Optional.empty());
        ImageFolder folder = ImageFolder.scan(Fixtures.path("tta"));
        try (ImageClassifier classifier = ImageClassifier.open(ModelFile.read(weights, false), overrides,
                ImageDecoder.DEFAULT_MAX_PIXELS, FoldedForward.Precision.FP32)) {
            ClassMapping classes = ClassMapping.of(folder.classes(), List.of(), 10, "tta");
            for (Tta tta : Tta.values()) {
                Map<String, float[]> logits = new HashMap<>();
                Evaluator.Result r = new Evaluator(classifier, tta, 7, null).run(folder, classes, new Evaluator.Listener() {
                    @Override
                    public void scored(int index, String name, int label, float[] l) {
                        logits.put(name, l);
                    }
                });
                assertThat(r.evaluation().count()).isEqualTo(3);
                assertThat(r.plain().isPresent()).isEqualTo(tta != Tta.NONE);
                for (String image : IMAGES) {
                    JsonNode want = EXPECTED.get(image).get(tta.flag());
                    float[] got = logits.get("tta/" + image);
                    double maxDiff = 0;
                    for (int c = 0; c < 10; c++) {
                        maxDiff = Math.max(maxDiff, Math.abs(got[c] - want.get(c).asDouble()));
                    }
                    assertThat(maxDiff).as("%s %s: largest logit difference", image, tta.flag()).isLessThan(1e-4);
                }
            }
        }
    }
}
