package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelCard;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.Fixtures;

/** `leno validate`'s bad inputs: each one line, exit 1, and no output folder. None runs the model. */
class ValidateErrorsTest {
    @TempDir
    static Path dir;
    static Path model;
    static Path out;

    /** A ResNet-50 of classes a..j at 64/56, shipped as safetensors with its card. */
    @BeforeAll
    static void shipAModel() {
        model = dir.resolve("model.safetensors");
        ModelCard card = new ModelCard(ModelConfig.of(Arch.RESNET, 50, 10), List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"),
                new ModelCard.Preprocessing(64, 56, "pil", "bilinear", List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225),
                        ModelCard.GREY_REPLICATE));
        try (ResidualNetwork net = ModelRegistry.create(card.model()); NativeScope scope = NativeScope.open()) {
            SafeTensors.write(model, StateDict.lazy(net), ModelFile.safetensorsMetadata(card));
        }
        out = dir.resolve("eval");
    }

    private static void refused(String expected, String... args) {
        Cli.Result r = Cli.run(args);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno validate: error: " + expected);
        assertThat(out).doesNotExist();
    }

    @Test
    void aFolderOfOtherClassesNamesTheUnknownAndTheMissing() throws Exception {
        Path data = dir.resolve("other");
        Fixtures.copyTree(Fixtures.path("tta"), data);
        Files.createDirectories(data.resolve("zebra"));
        Files.copy(Fixtures.path("rgb.png"), data.resolve("zebra/z.png"));
        refused(data + ": the classes do not match the model's: unknown to the model zebra; the model's classes missing here "
                + "c, d, e, f, g, h, i, j", "validate", "--weights", model.toString(), "--data", data.toString(), "--out", out.toString());
    }

    @Test
    void anEmptyFolder() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        refused(empty + ": no class folders (expected " + empty + "/<class>/<image>)",
                "validate", "--weights", model.toString(), "--data", empty.toString(), "--out", out.toString());
    }

    @Test
    void aTtaTheImageSizeCannotTake() {
        refused("--tta ten-crop: the crop (72) is larger than the resized shorter side (64), so there are no corner or "
                        + "mirrored crops to take; use --val_resize 72 or more, or no --tta",
                "validate", "--weights", model.toString(), "--data", Fixtures.path("tta").toString(), "--val_crop_size", "72",
                "--tta", "ten-crop", "--out", out.toString());
        Cli.Result unknown = Cli.run("validate", "--weights", model.toString(), "--tta", "twelve", "--out", out.toString());
        assertThat(unknown.err().strip()).isEqualTo("leno validate: error: --tta twelve: expected one of none, flip, five-crop, ten-crop");
    }

    @Test
    void weightsOfAnotherArchitecture() {
        Path resnet = dir.resolve("resnet50.pth");
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.RESNET, 50, 10))) {
            ModelWeights.save(net, resnet);
        }
        Cli.Result r = Cli.run("validate", "--weights", resnet.toString(), "-a", "preactresnet", "--n_classes", "10",
                "--data", Fixtures.path("tta").toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("leno validate: error: ").contains(resnet.toString());
        assertThat(out).doesNotExist();
    }

    @Test
    void anOutputFolderThatIsNotAnEvaluation() throws Exception {
        Path mine = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(mine.resolve("notes.txt"), "keep");
        Cli.Result r = Cli.run("validate", "--weights", model.toString(), "--data", Fixtures.path("tta").toString(),
                "--out", mine.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno validate: error: --out " + mine
                + " is a folder without summary.json (not an evaluation to replace); give a new or empty folder");
        assertThat(mine.resolve("notes.txt")).hasContent("keep");
    }
}
