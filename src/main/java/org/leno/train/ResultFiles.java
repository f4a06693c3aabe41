package org.leno.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;

/** The files a run writes in --result_path, named and formatted as the reference writes them. */
public final class ResultFiles {
    public static final String TRAIN_LOG = "train.log";
    public static final String VAL_LOG = "val.log";
    public static final String CHECKPOINT = "checkpoint.pth.tar";
    public static final String BEST = "model_best.pth.tar";
    public static final String GRADNORM = "gradnorm.tsv";

    private final Path dir;

    public ResultFiles(Path dir) {
        this.dir = dir;
    }

    public Path dir() { return dir; }

    public Path checkpoint() { return dir.resolve(CHECKPOINT); }

    public Path best() { return dir.resolve(BEST); }

    /** Creates the folder and checks that it can be written, before any training starts. */
    public void prepare() {
        try {
            Files.createDirectories(dir);
            Path probe = Files.createTempFile(dir, ".write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException e) {
            throw new IllegalArgumentException("--result_path " + dir + " is not writable ("
                    + (e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.getMessage()) + ")");
        }
    }

    /** args.json on a fresh run; on resume one more JSON line in resume_args.json. */
    public void writeArgs(Map<String, Object> args, boolean resumed) {
        try {
            String json = new ObjectMapper().writeValueAsString(args);
            if (resumed) {
                append(dir.resolve("resume_args.json"), json + "\n");
            } else {
                Files.writeString(dir.resolve("args.json"), json + "\n", StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot write args to " + dir + ": " + e.getMessage(), e);
        }
    }

    public void logTrain(int epoch, double loss, double acc1, double acc5, double lr) {
        log(TRAIN_LOG, "epoch\tloss\tacc1\tacc5\tlr",
                String.format(Locale.ROOT, "%d\t%.4f\t%.2f\t%.2f\t%.6f", epoch, loss, acc1, acc5, lr));
    }

    public void logVal(int epoch, double loss, double acc1, double acc5) {
        log(VAL_LOG, "epoch\tloss\tacc1\tacc5", String.format(Locale.ROOT, "%d\t%.4f\t%.2f\t%.2f", epoch, loss, acc1, acc5));
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
        log(GRADNORM, "iteration\tepoch\tblock\tratio", b.toString());
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

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
}
