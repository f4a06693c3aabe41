package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.run.RunLayout;

/** What a run writes in --result_path: never through a symbolic link, no stale temporaries, logs trimmed on resume. */
class ResultFilesTest {

    @Test
    void logsAndArgsAreNotWrittenThroughSymbolicLinks(@TempDir Path dir) throws IOException {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "precious\n");
        Path results = Files.createDirectories(dir.resolve("run"));
        ResultFiles files = new ResultFiles(results);
        for (String name : List.of(RunLayout.TRAIN_LOG, RunLayout.VAL_LOG, "args.json")) {
            Path link = Files.createSymbolicLink(results.resolve(name), outside);
            assertThatThrownBy(() -> {
                if (name.equals("args.json")) {
                    files.writeArgs(Map.of("lr", 0.1), false);
                } else if (name.equals(RunLayout.TRAIN_LOG)) {
                    files.logTrain(1, 1, 1, 1, 0.1);
                } else {
                    files.logVal(1, 1, 1, 1);
                }
            }).hasMessage("--result_path: " + link + " is a symbolic link; refusing to write through it");
            Files.delete(link);
        }
        assertThat(Files.readString(outside)).isEqualTo("precious\n");
    }

    @Test
    void aCrashedSavesTemporaryFileIsRemovedAtTheNextStartAndNothingElse(@TempDir Path dir) throws IOException {
        Path stale = Files.writeString(dir.resolve(".checkpoint.pth.tar.8127361.tmp"), "half a checkpoint");
        Path staleBest = Files.writeString(dir.resolve(".model_best.pth.tar.77.tmp"), "half");
        Path users = Files.writeString(dir.resolve("notes.tmp"), "mine");
        Path checkpoint = Files.writeString(dir.resolve(RunLayout.CHECKPOINT), "whole");
        new ResultFiles(dir).prepare();
        assertThat(stale).doesNotExist();
        assertThat(staleBest).doesNotExist();
        assertThat(users).exists();
        assertThat(checkpoint).exists();
    }

    @Test
    void resumingTrimsEveryLogToTheCheckpoint(@TempDir Path dir) throws IOException {
        ResultFiles files = new ResultFiles(dir);
        for (int e = 1; e <= 3; e++) {
            files.logTrain(e, 1, 1, 1, 0.1);
            files.logVal(e, 1, 1, 1);
        }
        for (int u = 1; u <= 9; u++) {
            files.logClipNorm(u, (u - 1) / 3, (u - 1) % 3, 1.5);
        }
        files.logGradNorm(0, 0, new double[] {1, 2});
        files.logGradNorm(5, 1, new double[] {1, 2});
        files.trimTo(2, 7, 5);
        assertThat(Files.readAllLines(dir.resolve(RunLayout.TRAIN_LOG))).hasSize(3).last().asString().startsWith("2\t");
        assertThat(Files.readAllLines(dir.resolve(RunLayout.VAL_LOG))).hasSize(3);
        assertThat(Files.readAllLines(dir.resolve(RunLayout.CLIP_NORM))).hasSize(8).last().asString().startsWith("7\t");
        assertThat(Files.readAllLines(dir.resolve(RunLayout.GRADNORM))).containsExactly("iteration\tepoch\tblock\tratio",
                "0\t0\t1\t1.00000", "0\t0\t2\t2.00000");
    }
}
