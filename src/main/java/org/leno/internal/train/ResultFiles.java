package org.leno.internal.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongPredicate;
import org.leno.internal.interop.AtomicFiles;
import org.leno.internal.run.RunLayout;

/** Writes the files of a run in --result_path ({@link RunLayout} names them), formatted as the reference writes them. */
public final class ResultFiles {
    private final RunLayout layout;
    private final Path dir;

    public ResultFiles(Path dir) {
        this.layout = new RunLayout(dir);
        this.dir = dir;
    }

    public Path dir() { return dir; }

    public RunLayout layout() { return layout; }

    public Path checkpoint() { return layout.checkpoint(); }

    public Path best() { return layout.best(); }

    /** Creates the folder and checks that it can be written, before any training starts. */
    public void prepare() {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
            removeStaleTemporaries();
        } catch (IOException e) {
            throw new IllegalArgumentException("--result_path " + dir + " is not writable ("
                    + (e instanceof AccessDeniedException ? "permission denied" : e.getMessage()) + ")");
        }
    }

    /**
     * Deletes what a process killed while writing a checkpoint left behind ({@code .checkpoint.pth.tar.*.tmp}
     * and the like): the rename that would have published it never happened, so nothing refers to it.
     */
    private void removeStaleTemporaries() throws IOException {
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, ".*.{pth.tar,log,tsv,json,html}.*.tmp")) {
            for (Path p : stale) {
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(p);
                }
            }
        }
    }

    /**
     * Drops the rows that a run killed after its last checkpoint wrote, so that the resumed run, which
     * redoes that work, does not write them twice: rows of epochs after {@code epochsDone}, of updates
     * after {@code updates} and of iterations from {@code iterations} on.
     */
    public void trimTo(int epochsDone, long updates, long iterations) {
        for (String log : new String[] {RunLayout.TRAIN_LOG, RunLayout.VAL_LOG, RunLayout.VAL_EMA_LOG, RunLayout.TIMING}) {
            keepRows(log, first -> first <= epochsDone);
        }
        keepRows(RunLayout.CLIP_NORM, first -> first <= updates);
        keepRows(RunLayout.GRADNORM, first -> first < iterations);
    }

    private void keepRows(String name, LongPredicate keepFirstColumn) {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<String> kept = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                String first = lines.get(i).split("\t", 2)[0];
                if (i == 0 || !first.matches("\\d{1,18}") || keepFirstColumn.test(Long.parseLong(first))) {
                    kept.add(lines.get(i));
                }
            }
            if (kept.size() < lines.size()) {
                AtomicFiles.write(file, out -> out.write(String.join("\n", kept).concat("\n").getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot trim " + file + " to the checkpoint: " + e.getMessage(), e);
        }
    }

    /** args.json on a fresh run; on resume one more JSON line in resume_args.json. */
    public void writeArgs(Map<String, Object> args, boolean resumed) {
        try {
            String json = new ObjectMapper().writeValueAsString(args);
            if (resumed) {
                append(layout.resumeArgs(), json + "\n");
            } else {
                Path file = layout.args();
                refuseLink(file);
                AtomicFiles.write(file, out -> out.write((json + "\n").getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write args to " + dir + ": " + e.getMessage(), e);
        }
    }

    public void logTrain(int epoch, double loss, double acc1, double acc5, double lr) {
        log(RunLayout.TRAIN_LOG, "epoch\tloss\tacc1\tacc5\tlr",
                String.format(Locale.ROOT, "%d\t%.4f\t%.2f\t%.2f\t%.6f", epoch, loss, acc1, acc5, lr));
    }

    public void logVal(int epoch, double loss, double acc1, double acc5) {
        log(RunLayout.VAL_LOG, "epoch\tloss\tacc1\tacc5", String.format(Locale.ROOT, "%d\t%.4f\t%.2f\t%.2f", epoch, loss, acc1, acc5));
    }

    /** The weight average's validation, formatted as val.log. */
    public void logValEma(int epoch, double loss, double acc1, double acc5) {
        log(RunLayout.VAL_EMA_LOG, "epoch\tloss\tacc1\tacc5", String.format(Locale.ROOT, "%d\t%.4f\t%.2f\t%.2f", epoch, loss, acc1, acc5));
    }

    /** Wall time of the epoch's training and validation, and the training images per second over all ranks. */
    public void logTiming(int epoch, double trainSeconds, double valSeconds, double imagesPerSecond) {
        log(RunLayout.TIMING, "epoch\ttrain_seconds\tval_seconds\ttrain_images_per_s", String.format(Locale.ROOT,
                "%d\t%.3f\t%.3f\t%.2f", epoch, trainSeconds, valSeconds, imagesPerSecond));
    }

    /** The global gradient norm before clipping, at an update. */
    public void logClipNorm(long update, int epoch, int batch, double norm) {
        log(RunLayout.CLIP_NORM, "update\tepoch\tbatch\tgrad_norm", String.format(Locale.ROOT, "%d\t%d\t%d\t%.6g", update, epoch,
                batch, norm));
    }

    /** checkpoint_epoch<E>.pth.tar, the history that --checkpoint-hist keeps. */
    public Path epochCheckpoint(int epoch) {
        return layout.epochCheckpoint(epoch);
    }

    /** Removes the history checkpoint of {@code epoch}, if there is one. */
    public void deleteEpochCheckpoint(int epoch) {
        if (epoch < 1) {
            return;
        }
        try {
            Files.deleteIfExists(epochCheckpoint(epoch));
        } catch (IOException e) {
            throw new IllegalStateException("cannot delete " + epochCheckpoint(epoch) + ": " + e.getMessage(), e);
        }
    }

    /** One line per block to gradnorm.tsv: iteration, epoch, block (1-based), ratio. */
    public void logGradNorm(long iteration, int epoch, double[] ratios) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ratios.length; i++) {
            b.append(String.format(Locale.ROOT, "%d\t%d\t%d\t%.6g", iteration, epoch, i + 1, ratios[i]));
            if (i + 1 < ratios.length) {
                b.append('\n');
            }
        }
        log(RunLayout.GRADNORM, "iteration\tepoch\tblock\tratio", b.toString());
    }

    private void log(String name, String header, String line) {
        Path file = dir.resolve(name);
        try {
            if (!Files.exists(file) || Files.size(file) == 0) {
                append(file, header + "\n");
            }
            append(file, line + "\n");
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes in --result_path never go through a symbolic link to a file outside it. */
    private static void refuseLink(Path file) {
        if (Files.isSymbolicLink(file)) {
            throw new IllegalArgumentException("--result_path: " + file + " is a symbolic link; refusing to write through it");
        }
    }

    private static void append(Path file, String text) throws IOException {
        refuseLink(file);
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND,
                LinkOption.NOFOLLOW_LINKS);
    }
}
