package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.model.Arch;

/** The training configuration's resolver: defaults in layers, args.json written from it and read back. */
class TrainConfigResolverTest {
    /** The reference's args.json keys (its argparse dest names, plus the derived 'distributed'). */
    static final List<String> REFERENCE_KEYS = List.of("data", "arch", "result_path", "model_depth", "workers", "epochs",
            "start_epoch", "batch_size", "lr", "momentum", "weight_decay", "print_freq", "resume", "evaluate", "pretrained",
            "world_size", "rank", "dist_url", "dist_backend", "seed", "gpu", "multiprocessing_distributed", "n_classes",
            "lr_scheduler", "lr_steps", "lr_reduce_factor", "nesterov", "zero_init_residual", "groups", "train_crop_size",
            "val_resize", "val_crop_size");

    private static TrainConfigResolver.Resolved resolve(String... args) {
        return new TrainConfigResolver().resolve(List.of(args));
    }

    @Test
    void quickStartAndReferenceDefaultsSitSideBySideAndFlagsWin() {
        TrainConfig quick = resolve().config();
        assertThat(quick.quickStart()).isTrue();
        assertThat(quick.schedule().epochs()).isEqualTo(10);
        assertThat(quick.data().batchSize()).isEqualTo(64);
        assertThat(quick.schedule().lrSteps()).containsExactly(6, 9);
        assertThat(quick.model().nClasses()).isEqualTo(10);
        assertThat(quick.runtime().seed()).as("a random seed is chosen and recorded").isNotNull();
        TrainConfig reference = resolve("--data", "/data/imagenet").config();
        assertThat(reference.schedule().epochs()).isEqualTo(90);
        assertThat(reference.data().batchSize()).isEqualTo(256);
        assertThat(reference.optimization().lr()).isEqualTo(0.1);
        assertThat(reference.schedule().lrSteps()).containsExactly(30, 60, 80);
        assertThat(reference.model().nClasses()).isEqualTo(1000);
        assertThat(resolve("--data", "fashion-mnist").config().model().nClasses()).isEqualTo(10);
        TrainConfig given = resolve("--epochs", "3", "--lr_scheduler", "MultiStepLR", "-a", "RESNET", "--seed", "4").config();
        assertThat(given.schedule().epochs()).isEqualTo(3);
        assertThat(given.schedule().scheduler()).isEqualTo(LrSchedulerKind.MULTISTEP);
        assertThat(given.model().arch()).isEqualTo(Arch.RESNET);
        assertThat(given.data().batchSize()).as("other quick-start defaults stay").isEqualTo(64);
    }

    @Test
    void aListGivenInALaterLayerReplacesTheEarlierList(@TempDir Path dir) throws IOException {
        // picocli alone appends a repeated multi-value option: the quick start's 6 9 then 1 would be 6 9 1
        assertThat(resolve("--lr_steps", "1").config().schedule().lrSteps()).containsExactly(1);
        assertThat(resolve("--crop-scale", "0.5", "1").config().data().cropScale()).containsExactly(0.5, 1.0);
        Path yaml = dir.resolve("steps.yaml");
        Files.writeString(yaml, "lr_steps: [3, 4]\n");
        assertThat(resolve("--config", yaml.toString()).config().schedule().lrSteps()).containsExactly(3, 4);
        assertThat(resolve("--config", yaml.toString(), "--lr_steps", "5").config().schedule().lrSteps()).containsExactly(5);
        assertThat(resolve("--lr_steps", "2", "--no-channels-last").config().runtime().channelsLast()).isFalse();
    }

    @Test
    void argsJsonKeepsTheReferencesKeysAndReproducesTheRun(@TempDir Path dir) throws IOException {
        Map<String, Object> args = resolve("--data", "/data/x", "--lr", "0.05", "--lr_steps", "5", "7", "--nesterov",
                "--no-channels-last", "--seed", "9").args();
        assertThat(args.keySet()).containsAll(REFERENCE_KEYS.stream().filter(k -> !k.equals("distributed")).toList());
        assertThat(args).containsEntry("lr", 0.05).containsEntry("lr_steps", List.of(5, 7)).containsEntry("nesterov", true)
                .containsEntry("channels_last", false).containsEntry("seed", 9L).containsEntry("arch", "lenoresnet");
        Path file = dir.resolve("args.json");
        Files.writeString(file, new ObjectMapper().writeValueAsString(args));
        assertThat(resolve("--config", file.toString()).args()).isEqualTo(args);
        Map<String, Object> overridden = resolve("--config", file.toString(), "--lr", "0.2").args();
        assertThat(overridden).containsEntry("lr", 0.2).containsEntry("lr_steps", List.of(5, 7));
    }

    @Test
    void yamlConfigAndTheReferencesOwnArgsJsonAreRead(@TempDir Path dir) throws IOException {
        Path yaml = dir.resolve("recipe.yaml");
        Files.writeString(yaml, "data: /data/y\nepochs: 4\nlr_steps: [2, 3]\nnesterov: true\n");
        TrainConfig c = resolve("--config", yaml.toString()).config();
        assertThat(c.schedule().epochs()).isEqualTo(4);
        assertThat(c.schedule().lrSteps()).containsExactly(2, 3);
        assertThat(c.optimization().nesterov()).isTrue();
        Map<String, Object> reference = new LinkedHashMap<>();
        for (String k : REFERENCE_KEYS) {
            reference.put(k, null);
        }
        reference.putAll(Map.of("data", "/data/z", "arch", "lenoresnet", "model_depth", 50, "lr", 0.1, "resume", "",
                "lr_scheduler", "MultiStepLR", "lr_steps", List.of(30, 60, 80), "dist_backend", "gloo"));
        reference.put("distributed", false);
        Path referenceJson = dir.resolve("reference_args.json");
        Files.writeString(referenceJson, new ObjectMapper().writeValueAsString(reference));
        TrainConfig r = resolve("--config", referenceJson.toString()).config();
        assertThat(r.data().data()).isEqualTo("/data/z");
        assertThat(r.checkpointing().resume()).isNull();
    }

    @Test
    void badConfigFilesAreOneLineErrorsNamingTheFileAndKey(@TempDir Path dir) throws IOException {
        Path unknown = dir.resolve("a.json");
        Files.writeString(unknown, "{\"epochs\": 2, \"learning_rate_typo\": 1}");
        assertThatThrownBy(() -> resolve("--config", unknown.toString()))
                .hasMessage(unknown + ": unknown key 'learning_rate_typo'");
        Path badValue = dir.resolve("b.json");
        Files.writeString(badValue, "{\"epochs\": \"many\"}");
        assertThatThrownBy(() -> resolve("--config", badValue.toString())).hasMessageStartingWith(badValue + ": ")
                .hasMessageContaining("many");
        Path notObject = dir.resolve("c.json");
        Files.writeString(notObject, "[1, 2]");
        assertThatThrownBy(() -> resolve("--config", notObject.toString()))
                .hasMessage("--config " + notObject + ": expected an object of flag values");
        assertThatThrownBy(() -> resolve("--config", dir.resolve("missing.yaml").toString()))
                .hasMessage("--config " + dir.resolve("missing.yaml") + ": no such file");
    }

    @Test
    void referenceOnlyFlagsAreAcceptedOrRefusedWithOneLine() {
        assertThat(resolve("--groups", "32").config().referenceOnly().groups()).isEqualTo(32);
        assertThatThrownBy(() -> resolve("--pretrained")).hasMessageStartingWith("--pretrained: leno downloads nothing");
    }

    @Test
    void eachLayerWinsOverTheOnesBelowIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("args.json");
        Files.writeString(file, "{\"epochs\": 4, \"lr\": 0.03, \"seed\": 7}");
        TrainConfig fromFile = new TrainConfigResolver().resolve(file, List.of()).config();
        assertThat(fromFile.schedule().epochs()).as("file over default").isEqualTo(4);
        assertThat(fromFile.optimization().lr()).isEqualTo(0.03);
        assertThat(fromFile.data().batchSize()).as("quick-start default where the file is silent").isEqualTo(64);
        assertThat(fromFile.runtime().seed()).as("the file's seed, no random one").isEqualTo(7L);
        TrainConfig overridden = new TrainConfigResolver().resolve(file, List.of("--lr", "0.2")).config();
        assertThat(overridden.optimization().lr()).as("override over file").isEqualTo(0.2);
        assertThat(overridden.schedule().epochs()).isEqualTo(4);
        Files.writeString(file, "{\"data\": \"/data/imagenet\"}");
        TrainConfig reference = new TrainConfigResolver().resolve(file, List.of()).config();
        assertThat(reference.schedule().epochs()).as("the file's --data selects the reference's defaults").isEqualTo(90);
        assertThat(new TrainConfigResolver().resolve(file, List.of("--data", "fashion-mnist")).config().model().nClasses())
                .as("an override's --data selects the defaults too").isEqualTo(10);
    }

    @Test
    void aRandomSeedIsDrawnOnlyWhenNoLayerGivesOne() {
        Long a = resolve().config().runtime().seed();
        Long b = resolve().config().runtime().seed();
        assertThat(a).isNotNull().isNotEqualTo(b);
        assertThat(resolve("--seed", "3").config().runtime().seed()).isEqualTo(3L);
    }

    @Test
    void pathsGoThroughTheGivenConversion() {
        TrainConfig c = new TrainConfigResolver(text -> Path.of("/converted", text)).resolve(List.of("--result_path", "r"))
                .config();
        assertThat(c.checkpointing().resultPath()).isEqualTo(Path.of("/converted/r"));
    }

    static List<String> concat(List<String> a, String... b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(List.of(b));
        return out;
    }
}
