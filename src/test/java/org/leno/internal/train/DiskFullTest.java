package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.run.RunLayout;
import org.leno.internal.testing.Cli;

/**
 * A disk that fills during a run, on a small tmpfs (needs root, as CI is; skipped where mounting is refused):
 * model_best shares the checkpoint's bytes, so epoch 1 fits where two copies would not; the epoch-2 save
 * fails with one line and leaves epoch 1's checkpoint intact; after space is freed, {@code --resume auto}
 * finishes the run with logs identical to an uninterrupted one.
 */
class DiskFullTest {
    private static final String[] FLAGS = {"--train-samples", "64", "--val-samples", "32", "-b", "32", "--seed", "5",
            "--lr", "0.02", "--workers", "1", "--epochs", "3", "--no-progress"};

    @TempDir
    Path dir;
    private Path mounted;

    @AfterEach
    void unmount() throws Exception {
        if (mounted != null) {
            run("umount", "-l", mounted.toString());
        }
    }

    @Test
    void aFullDiskStopsWithOneLineAndResumeAutoContinuesExactly() throws Exception {
        Path reference = dir.resolve("reference");
        Cli.Result whole = train(reference);
        assertThat(whole.exitCode()).as(whole.err()).isZero();
        long checkpointBytes = Files.size(reference.resolve(RunLayout.CHECKPOINT));

        Path disk = Files.createDirectories(dir.resolve("disk"));
        long size = checkpointBytes * 3 / 2; // one checkpoint and its best fit; a second checkpoint does not
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=" + size, "tmpfs", disk.toString()) == 0,
                "cannot mount a tmpfs here (not root?)");
        mounted = disk;
        Path results = disk.resolve("run");
        Cli.Result full = train(results);
        assertThat(full.exitCode()).isNotZero();
        assertThat(full.err().strip().lines()).hasSize(1);
        assertThat(full.err()).contains("no space left on device");
        // epoch 2's log lines came before its save; epoch 1's checkpoint is intact (resume trims the logs to it)
        Map<?, ?> kept = (Map<?, ?>) WeightFiles.readObject(results.resolve(RunLayout.CHECKPOINT));
        assertThat(kept.get("epoch")).isEqualTo(1L);
        assertThat(Files.getAttribute(results.resolve(RunLayout.BEST), "unix:ino"))
                .isEqualTo(Files.getAttribute(results.resolve(RunLayout.CHECKPOINT), "unix:ino"));
        try (var names = Files.list(results)) {
            assertThat(names.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }

        assertThat(run("mount", "-o", "remount,size=" + checkpointBytes * 4, disk.toString())).isZero();
        Cli.Result resumed = train(results, "--resume", "auto");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(lines(results.resolve("train.log"))).isEqualTo(lines(reference.resolve("train.log")));
        assertThat(lines(results.resolve("val.log"))).isEqualTo(lines(reference.resolve("val.log")));
    }

    private static Cli.Result train(Path results, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--result_path", results.toString()));
        args.addAll(Arrays.asList(FLAGS));
        args.addAll(Arrays.asList(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }
}
