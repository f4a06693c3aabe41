package org.leno.internal.evaluate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.leno.internal.run.RunLayout;

/**
 * An evaluation folder as `leno validate` wrote it, read back (for `leno report` and `leno
 * compare`): summary.json, per_class.csv as text rows, and the counts of confusion.csv.
 */
public record SavedEvaluation(Path dir, JsonNode summary, List<String> perClassColumns, List<List<String>> perClass,
                              List<String> confusionClasses, long[][] confusion) {

    /** The evaluation in {@code dir}; empty when it has no summary.json (no evaluation, or not a whole one). */
    public static Optional<SavedEvaluation> read(Path dir) {
        Path summary = dir.resolve(EvaluationFiles.SUMMARY);
        if (!Files.isRegularFile(summary)) {
            return Optional.empty();
        }
        try {
            JsonNode json = new ObjectMapper().readTree(summary.toFile());
            List<List<String>> perClass = rows(dir.resolve(EvaluationFiles.PER_CLASS));
            List<List<String>> confusion = rows(dir.resolve(EvaluationFiles.CONFUSION));
            if (perClass.isEmpty() || confusion.isEmpty()) {
                throw new IllegalArgumentException(dir + ": an empty " + (perClass.isEmpty() ? EvaluationFiles.PER_CLASS
                        : EvaluationFiles.CONFUSION));
            }
            List<String> classes = confusion.get(0).subList(1, confusion.get(0).size());
            return Optional.of(new SavedEvaluation(dir, json, perClass.get(0), perClass.subList(1, perClass.size()), classes,
                    counts(confusion, dir)));
        } catch (IOException e) {
            throw new IllegalArgumentException(dir + ": cannot read the evaluation (" + e.getMessage().lines().findFirst()
                    .orElse("") + ")");
        }
    }

    /** The evaluations of a run folder: each {@code eval-*} sub-folder with a summary.json, by name. */
    public static List<SavedEvaluation> inRun(Path run) {
        List<SavedEvaluation> out = new ArrayList<>();
        try (var entries = Files.list(run)) {
            for (Path p : entries.filter(Files::isDirectory).filter(p -> p.getFileName().toString().startsWith(RunLayout.EVAL_PREFIX))
                    .sorted().toList()) {
                read(p).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + run + ": " + e.getMessage());
        }
        return out;
    }

    /** The folder's name, e.g. eval-val. */
    public String name() {
        return dir.getFileName().toString();
    }

    private static List<List<String>> rows(Path csv) throws IOException {
        if (!Files.isRegularFile(csv)) {
            throw new IOException("no " + csv.getFileName());
        }
        List<List<String>> rows = new ArrayList<>();
        try (MappingIterator<List<String>> it = EvaluationFiles.CSV.readerForListOf(String.class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(csv.toFile())) {
            while (it.hasNext()) {
                rows.add(it.next());
            }
        }
        return rows;
    }

    private static long[][] counts(List<List<String>> confusion, Path dir) {
        int n = confusion.size() - 1;
        long[][] out = new long[n][n];
        for (int r = 0; r < n; r++) {
            List<String> row = confusion.get(r + 1);
            if (row.size() != n + 1) {
                throw new IllegalArgumentException(dir.resolve(EvaluationFiles.CONFUSION) + ": row " + (r + 2) + " has "
                        + row.size() + " cells, expected " + (n + 1));
            }
            for (int c = 0; c < n; c++) {
                try {
                    out[r][c] = Long.parseLong(row.get(c + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(dir.resolve(EvaluationFiles.CONFUSION) + ": row " + (r + 2) + ": '"
                            + row.get(c + 1) + "' is not a count");
                }
            }
        }
        return out;
    }
}
