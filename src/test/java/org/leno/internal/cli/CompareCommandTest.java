package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.compare.ComparisonPlan;
import org.leno.internal.testing.ChildJvm;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.Fixtures;
import picocli.CommandLine;

/**
 * `leno compare` on a tiny setting (ResNet-50 and LeNo-ResNet-50, seed 0, 48 images, 2 epochs), killed
 * with SIGKILL in the second run's second epoch and run again: the first run is skipped, the second
 * resumes from its checkpoint, and both runs' gradient norms, the summary and the page are written.
 * Then the flags: a seed folder trained with other flags is refused, bad depths and seeds are one
 * line, --model_depth and --seed still work, and --report-only writes the fixtures' comparison.
 */
class CompareCommandTest {
    private static final String[] FLAGS = {"compare", "-a", "resnet,lenoresnet", "--train-samples", "48",
            "--val-samples", "32", "-b", "16", "--epochs", "2", "--lr_steps", "1", "-p", "1", "--workers", "1",
            "--gradnorm-batches", "1", "--seeds", "0"};

    @Test
    void aKilledComparisonResumesOnRerunAndWritesEveryRunAndThePage(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of(FLAGS));
        args.addAll(List.of("--result_path", dir.toString()));
        String head = runUntilKilled(args, "Epoch: [1][1/3]", "lenoresnet50/seed0: training");
        assertThat(head).contains("=> resnet50/seed0: training in " + dir.resolve("resnet50/seed0"));
        assertThat(dir.resolve("summary.tsv")).exists();

        Cli.Result rerun = Cli.run(args.toArray(String[]::new));
        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        assertThat(rerun.out()).contains("=> resnet50/seed0: finished (2 epochs), not trained again")
                .contains("=> --resume auto: continuing from " + dir.resolve("lenoresnet50/seed0").resolve("checkpoint.pth.tar"))
                .doesNotContain("Epoch: [0][")
                .contains("=> LeNo-ResNet-50 minus ResNet-50 (best val Acc@1): ")
                .contains(" points, 1 seed: no interval (it takes 2 seeds or more)");
        for (String run : new String[] {"resnet50", "lenoresnet50"}) {
            Path folder = dir.resolve(run).resolve("seed0");
            assertThat(Files.readAllLines(folder.resolve("train.log"))).as(run).hasSize(3);
            assertThat(Files.readString(folder.resolve("args.json"))).contains("\"seed\":0").contains("\"lr_steps\":[1]");
            assertThat(folder.resolve("checkpoint_epoch1.pth.tar")).exists();
            try (var csvs = Files.list(folder.resolve("gradnorm"))) {
                assertThat(csvs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".csv")).sorted().toList())
                        .as(run).hasSize(2).allMatch(n -> n.contains("checkpoint_epoch1") || n.contains("model_best"));
            }
            assertThat(folder.resolve("gradnorm/init/" + run + ".csv")).exists();
        }
        assertThat(Files.readString(dir.resolve("summary.tsv"))).contains("\tone seed: no interval\t");
        String page = Files.readString(dir.resolve("report.html"));
        assertThat(page).contains("LeNo-ResNet-50 minus ResNet-50").contains(dir.resolve("lenoresnet50/seed0").toString())
                .contains("id=\"chart-ratio-50\"");
    }

    @Test
    void anUnknownArchitectureIsAOneLineError(@TempDir Path dir) {
        Cli.Result r = Cli.run("compare", "-a", "resnet,vgg", "--result_path", dir.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno compare: error: -a vgg: not an architecture (resnet, preactresnet, lenoresnet)");
    }

    @Test
    void badDepthsSeedsAndBaselinesAreOneLineErrors(@TempDir Path dir) {
        assertError(dir, "--depths 77: not a depth of lenoresnet (50, 101, 152, 200, 401, 500)", "--depths", "50", "77");
        assertError(dir, "--depths 401: not a depth of resnet (50, 101, 152, 200)", "--model_depth", "401");
        assertError(dir, "--seeds 1 1: a value given twice", "--seeds", "1", "1");
        assertError(dir, "--baseline vgg: not an architecture", "--baseline", "vgg");
    }

    private static void assertError(Path dir, String message, String... flags) {
        List<String> args = new ArrayList<>(List.of("compare", "-a", "lenoresnet,resnet", "--result_path", dir.toString()));
        args.addAll(List.of(flags));
        Cli.Result r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exitCode()).as(r.out()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno compare: error: " + message);
    }

    @Test
    void aSeedFolderTrainedWithOtherFlagsIsRefusedNamingTheKeys(@TempDir Path dir) throws IOException {
        String[] args = {"-a", "resnet", "--seeds", "3", "--depths", "101", "--result_path", dir.toString(), "--lr", "0.05",
                "--train-samples", "64"};
        ComparisonPlan.Run run = plan(args).get(0);
        assertThat(run.dir()).isEqualTo(dir.resolve("resnet101/seed3"));
        Files.createDirectories(run.dir());
        ObjectMapper json = new ObjectMapper();
        Files.writeString(run.dir().resolve("args.json"), json.writeValueAsString(run.resolved().args()));
        assertThat(plan(args)).as("the same flags: accepted").hasSize(1);
        Map<String, Object> other = new LinkedHashMap<>(run.resolved().args());
        other.put("lr", 0.1);
        other.put("epochs", 4);
        other.put("seed", 9);
        other.put("result_path", "elsewhere");
        Files.writeString(run.dir().resolve("args.json"), json.writeValueAsString(other));
        List<String> cli = new ArrayList<>(List.of("compare"));
        cli.addAll(List.of(args));
        Cli.Result r = Cli.run(cli.toArray(String[]::new));
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno compare: error: " + run.dir().resolve("args.json") + ": trained with other "
                + "flags than this comparison: epochs (folder: 4, now: 3), lr (folder: 0.1, now: 0.05) (another --result_path, "
                + "or the flags of that comparison)");
        assertThat(r.out()).doesNotContain("training in");
    }

    @Test
    void theOldSingleDepthAndSeedFlagsStillWork(@TempDir Path dir) {
        List<ComparisonPlan.Run> runs = plan("-a", "resnet,lenoresnet", "--model_depth", "101", "--seed", "5",
                "--result_path", dir.toString());
        assertThat(runs.stream().map(r -> dir.relativize(r.dir()).toString()).toList())
                .containsExactly("resnet101/seed5", "lenoresnet101/seed5");
        List<ComparisonPlan.Run> all = plan("--result_path", dir.toString(), "--depths", "50", "101", "--data", "/nowhere", "--gpu", "0");
        assertThat(all.stream().map(r -> dir.relativize(r.dir()).toString()).toList()).containsExactly(
                "resnet50/seed0", "preactresnet50/seed0", "lenoresnet50/seed0", "resnet101/seed0", "preactresnet101/seed0",
                "lenoresnet101/seed0", "resnet50/seed1", "preactresnet50/seed1", "lenoresnet50/seed1", "resnet101/seed1",
                "preactresnet101/seed1", "lenoresnet101/seed1", "resnet50/seed2", "preactresnet50/seed2", "lenoresnet50/seed2",
                "resnet101/seed2", "preactresnet101/seed2", "lenoresnet101/seed2");
        assertThat(all).allSatisfy(r -> {
            assertThat(r.resolved().config().data().data()).isEqualTo("/nowhere");
            assertThat(r.resolved().args().get("gpu")).isEqualTo(0);
            assertThat(r.resolved().config().runtime().seed()).isEqualTo(r.seed());
        });
    }

    @Test
    void reportOnlyWritesTheSummaryAndPageOfTheRunsThere(@TempDir Path dir) throws IOException {
        Fixtures.copyTree(Fixtures.path("compare"), dir);
        Cli.Result r = Cli.run("compare", "--report-only", "--result_path", dir.toString(), "--depths", "50", "101");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("=> incomplete, left out: " + dir.resolve("preactresnet50/seed2/train.log") + " line 4: ")
                .contains("=> incomplete, left out: " + dir.resolve("resnet101/seed1") + ": not trained yet (no folder)")
                .contains("=> LeNo-ResNet-50 minus ResNet-50 (best val Acc@1): -4.5 points, 95% interval -10.0 to +1.0, 3 seeds "
                        + "(won 0): not resolved")
                .doesNotContain("training in");
        assertThat(Files.readString(dir.resolve("summary.json"))).contains("\"baseline\" : \"resnet\"");
        assertThat(Files.readString(dir.resolve("report.html"))).contains("id=\"chart-ratio-101\"");
    }

    private static List<ComparisonPlan.Run> plan(String... args) {
        CompareCommand command = new CompareCommand();
        new CommandLine(command).parseArgs(args);
        return command.plan().runs();
    }

    /** Runs `leno` in another JVM and kills it (SIGKILL) once it printed {@code after} and then {@code trigger}. */
    private static String runUntilKilled(List<String> args, String trigger, String after) throws Exception {
        List<String> cmd = new ArrayList<>(ChildJvm.command("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            boolean armed = false;
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                armed |= line.contains(after);
                if (armed && line.startsWith(trigger)) {
                    p.destroyForcibly();
                    break;
                }
            }
        } catch (IOException ended) {
            // the stream closes with the process
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out.toString()).as("the run was killed where intended").contains(after).contains(trigger);
        return out.toString();
    }
}
