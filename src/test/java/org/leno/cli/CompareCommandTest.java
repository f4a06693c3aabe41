package org.leno.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.testing.Cli;

/**
 * `leno compare` on a tiny setting (ResNet-50 and LeNo-ResNet-50, 48 images, 2 epochs), killed with
 * SIGKILL in the second run's second epoch and run again: the first run is skipped, the second
 * resumes from its checkpoint, and both runs' gradient norms and the page are written.
 */
class CompareCommandTest {
    private static final String[] FLAGS = {"compare", "-a", "resnet,lenoresnet", "--train-samples", "48",
            "--val-samples", "32", "-b", "16", "--epochs", "2", "--lr_steps", "1", "-p", "1", "--workers", "1",
            "--gradnorm-batches", "1"};

    @Test
    void aKilledComparisonResumesOnRerunAndWritesEveryRunAndThePage(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of(FLAGS));
        args.addAll(List.of("--result_path", dir.toString()));
        String head = runUntilKilled(args, "Epoch: [1][1/3]", "lenoresnet50: training");
        assertThat(head).contains("=> resnet50: training in " + dir.resolve("resnet50"));
        assertThat(dir.resolve("report.html")).doesNotExist();

        Cli.Result rerun = Cli.run(args.toArray(String[]::new));
        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        assertThat(rerun.out()).contains("=> resnet50: finished (2 epochs), not trained again")
                .contains("=> --resume auto: continuing from " + dir.resolve("lenoresnet50").resolve("checkpoint.pth.tar"))
                .doesNotContain("Epoch: [0][");
        for (String run : new String[] {"resnet50", "lenoresnet50"}) {
            Path folder = dir.resolve(run);
            assertThat(Files.readAllLines(folder.resolve("train.log"))).as(run).hasSize(3);
            assertThat(Files.readString(folder.resolve("args.json"))).contains("\"seed\":0").contains("\"lr_steps\":[1]");
            assertThat(folder.resolve("checkpoint_epoch1.pth.tar")).exists();
            try (var csvs = Files.list(folder.resolve("gradnorm"))) {
                assertThat(csvs.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".csv")).sorted().toList())
                        .as(run).hasSize(2).allMatch(n -> n.contains("checkpoint_epoch1") || n.contains("model_best"));
            }
        }
        String page = Files.readString(dir.resolve("report.html"));
        assertThat(page).contains("resnet50").contains("lenoresnet50");
    }

    @Test
    void anUnknownArchitectureIsAOneLineError(@TempDir Path dir) {
        Cli.Result r = Cli.run("compare", "-a", "resnet,vgg", "--result_path", dir.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno compare: error: -a vgg: not an architecture (resnet, preactresnet, lenoresnet)");
    }

    /** Runs `leno` in another JVM and kills it (SIGKILL) once it printed {@code after} and then {@code trigger}. */
    private static String runUntilKilled(List<String> args, String trigger, String after) throws Exception {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(javaBin, "-cp", System.getProperty("java.class.path"), Main.class.getName()));
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
