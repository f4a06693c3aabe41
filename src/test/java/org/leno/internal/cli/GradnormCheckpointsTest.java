package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.analysis.Charts;
import org.leno.internal.interop.OrderedDict;
import org.leno.internal.interop.TorchZip;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;
import org.leno.internal.testing.Cli;
import picocli.CommandLine;

class GradnormCheckpointsTest {
    @TempDir
    static Path dir;
    static Path late;
    static Path early;

    static final String[] MODEL = {"gradnorm", "-a", "lenoresnet", "--model_depth", "50", "--n_classes", "10", "-b", "2",
            "--image-size", "32"};

    /** Two checkpoints of different weights; the name order (a, b) is the opposite of the epoch order. */
    @BeforeAll
    static void checkpoints() {
        late = checkpoint(dir.resolve("ckpt/a_late.pth.tar"), 1, 5);
        early = checkpoint(dir.resolve("ckpt/b_early.pth.tar"), 2, 1);
    }

    static Path checkpoint(Path file, long seed, long epoch) {
        Natives.seed(seed);
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 10));
             NativeScope scope = NativeScope.open()) {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("epoch", epoch);
            root.put("arch", "lenoresnet");
            root.put("state_dict", new OrderedDict(StateDict.lazy(net)));
            TorchZip.write(file, root);
        }
        return file;
    }

    static Cli.Result gradnorm(Path out, String... weights) {
        String[] args = java.util.Arrays.copyOf(MODEL, MODEL.length + 2 + weights.length);
        args[MODEL.length] = "--out";
        args[MODEL.length + 1] = out.toString();
        System.arraycopy(weights, 0, args, MODEL.length + 2, weights.length);
        return Cli.run(args);
    }

    @Test
    void aGlobGivesOneCurvePerCheckpointEqualToItsSingleRunAndAnIndexInEpochOrder() throws Exception {
        Path multi = dir.resolve("multi");
        Cli.Result r = gradnorm(multi, "--weights", dir.resolve("ckpt") + "/*.pth.tar");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(Files.readAllLines(multi.resolve("lenoresnet50_checkpoints.tsv"))).containsExactly(
                "label\tepoch\tfile\tcsv",
                "b_early\t1\t" + early + "\tlenoresnet50_b_early.csv",
                "a_late\t5\t" + late + "\tlenoresnet50_a_late.csv");
        // b_early is the second file analysed (name order), loaded into the model that held a_late
        Path single = dir.resolve("single");
        Cli.Result one = gradnorm(single, "--weights", early.toString());
        assertThat(one.exitCode()).as(one.err()).isZero();
        assertThat(single.resolve("lenoresnet50_checkpoints.tsv")).doesNotExist();
        assertThat(multi.resolve("lenoresnet50_b_early.csv")).hasSameTextualContentAs(single.resolve("lenoresnet50.csv"));
        assertThat(Files.readString(multi.resolve("lenoresnet50_a_late.csv")))
                .isNotEqualTo(Files.readString(multi.resolve("lenoresnet50_b_early.csv")));
        BufferedImage png = ImageIO.read(multi.resolve("lenoresnet50_evolution.png").toFile());
        assertThat(png.getWidth()).isEqualTo(Charts.WIDTH);
        assertThat(Files.readString(multi.resolve("lenoresnet50_evolution.svg"))).contains("<svg");
        assertThat(multi.resolve("lenoresnet50.png")).doesNotExist();
    }

    @Test
    void repeatedCommaAndSpaceSeparatedWeightsAreTheSameList() {
        for (String[] form : new String[][] {{"--weights", "a", "--weights", "b"}, {"--weights", "a,b"}, {"--weights", "a", "b"},
                {"--resume", "a", "--weights", "b"}}) {
            GradnormCommand command = new GradnormCommand();
            new CommandLine(command).parseArgs(form);
            assertThat(command.weights).as(String.join(" ", form)).containsExactly("a", "b");
        }
    }

    @Test
    void theEvolutionChartHasOneSeriesPerCheckpointInEpochOrderAndSameNamedFilesGetTheirFolder() {
        org.leno.internal.analysis.GradNormResult r = org.leno.internal.analysis.GradNormTestAccess.analyse(ModelConfig.of(Arch.RESNET, 50, 10));
        var a = new org.leno.internal.analysis.CheckpointRatios("a", java.util.OptionalInt.of(7), late, r);
        var b = new org.leno.internal.analysis.CheckpointRatios("b", java.util.OptionalInt.empty(), early, r);
        var chart = Charts.checkpointEvolution(org.leno.internal.analysis.CheckpointRatios.inEpochOrder(List.of(a, b)), "t");
        assertThat(chart.getSeriesMap().keySet()).containsExactly("b", "a (epoch 7)");
        assertThat(org.leno.internal.analysis.CheckpointRatios.labels(List.of(Path.of("x/run1/checkpoint.pth.tar"),
                Path.of("x/run2/checkpoint.pth.tar"), Path.of("y/model_best.pth")))).containsExactly(
                "run1_checkpoint", "run2_checkpoint", "y_model_best");
    }

    @Test
    void aGlobWithoutMatchesOrAMissingFileIsAOneLineError() {
        Cli.Result none = gradnorm(dir.resolve("none"), "--weights", dir.resolve("ckpt") + "/nothing*.pth");
        assertThat(none.exitCode()).isEqualTo(1);
        assertThat(none.err().strip()).isEqualTo("leno gradnorm: error: --weights '" + dir.resolve("ckpt") + "/nothing*.pth': no file matches");
        Cli.Result missing = gradnorm(dir.resolve("none"), "--weights", late.toString(), dir.resolve("gone.pth").toString());
        assertThat(missing.err().strip()).isEqualTo("leno gradnorm: error: --weights " + dir.resolve("gone.pth") + ": no such file");
        Cli.Result twoArchs = Cli.run("gradnorm", "-a", "resnet,lenoresnet", "--weights", late.toString(), early.toString());
        assertThat(twoArchs.err().strip()).contains("--weights goes with one architecture");
    }
}
