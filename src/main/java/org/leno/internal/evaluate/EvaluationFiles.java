package org.leno.internal.evaluate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.leno.internal.interop.InterchangeException;

/**
 * The folder `leno validate` writes: summary.json, per_class.csv, confusion.csv and .png,
 * confused_pairs.csv, reliability.png and predictions.csv. Everything is written into a hidden
 * sibling folder first and moved into place at the end, so that the folder holds either a whole
 * evaluation (the one before, if any) or the new one, never part of one.
 */
public final class EvaluationFiles {
    public static final String SUMMARY = "summary.json";
    public static final String PER_CLASS = "per_class.csv";
    public static final String CONFUSION = "confusion.csv";
    public static final String CONFUSED_PAIRS = "confused_pairs.csv";
    public static final String PREDICTIONS = "predictions.csv";
    public static final String CONFUSION_PNG = "confusion.png";
    public static final String RELIABILITY_PNG = "reliability.png";
    /** How many of the most-confused pairs the summary and confused_pairs.csv list. */
    public static final int CONFUSED_PAIRS_LISTED = 20;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** RFC 4180: a cell quoted only when it holds a comma, a quote or a line break. */
    static final CsvMapper CSV = CsvMapper.builder().enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING).build();

    private EvaluationFiles() {
    }

    /**
     * Refuses, in one line naming {@code flag}, an output folder that is not ours to replace: a file,
     * a symbolic link, or a folder with other things in it than an earlier evaluation.
     */
    public static void checkTarget(Path out, String flag) {
        if (Files.isSymbolicLink(out)) {
            throw new IllegalArgumentException(flag + " " + out + " is a symbolic link; refusing to replace it");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new IllegalArgumentException(flag + " " + out + " is a file, not a folder");
        }
        if (Files.isDirectory(out) && !Files.isRegularFile(out.resolve(SUMMARY)) && !isEmpty(out)) {
            throw new IllegalArgumentException(flag + " " + out + " is a folder without " + SUMMARY
                    + " (not an evaluation to replace); give a new or empty folder");
        }
    }

    /** Writes the folder {@code out}, replacing an earlier evaluation there; {@code summary} from {@link EvaluationSummary}. */
    public static void write(Path out, Map<String, Object> summary, EvaluationMetrics e) {
        checkTarget(out, "--out");
        Path parent = out.toAbsolutePath().normalize().getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            staging = Files.createTempDirectory(parent, "." + out.getFileName() + ".partial-");
            writeAll(staging, summary, e);
            replace(staging, out.toAbsolutePath().normalize());
            staging = null;
        } catch (IOException ex) {
            throw new InterchangeException("cannot write " + out + ": " + ex.getMessage(), ex);
        } finally {
            if (staging != null) {
                deleteTree(staging);
            }
        }
    }

    private static void writeAll(Path dir, Map<String, Object> summary, EvaluationMetrics e) throws IOException {
        csv(dir.resolve(PER_CLASS), perClass(e));
        csv(dir.resolve(CONFUSION), confusion(e));
        csv(dir.resolve(CONFUSED_PAIRS), confusedPairs(e));
        csv(dir.resolve(PREDICTIONS), predictions(e));
        EvaluationCharts.savePng(EvaluationCharts.confusion(e), dir.resolve(CONFUSION_PNG));
        EvaluationCharts.savePng(EvaluationCharts.reliability(e), dir.resolve(RELIABILITY_PNG));
        JSON.writeValue(dir.resolve(SUMMARY).toFile(), summary); // last: its presence marks a whole evaluation
    }

    /** Moves the earlier folder aside, the new one in, then deletes the earlier one. */
    private static void replace(Path staging, Path out) throws IOException {
        Path old = null;
        if (Files.exists(out)) {
            old = Files.createTempDirectory(out.getParent(), "." + out.getFileName() + ".old-");
            Files.delete(old);
            Files.move(out, old);
        }
        Files.move(staging, out);
        if (old != null) {
            deleteTree(old);
        }
    }

    static List<List<Object>> perClass(EvaluationMetrics e) {
        List<List<Object>> rows = new ArrayList<>();
        rows.add(List.of("class_index", "class", "support", "predicted", "correct", "accuracy", "precision", "recall", "f1",
                "mean_confidence"));
        for (ClassMetrics m : e.perClass()) {
            rows.add(List.of(m.index(), m.name(), m.support(), m.predicted(), m.correct(), m.accuracy(), m.precision(),
                    m.recall(), m.f1(), m.meanConfidence()));
        }
        return rows;
    }

    /** Counts, actual classes down, predicted across, over {@link EvaluationMetrics#labels()}. */
    static List<List<Object>> confusion(EvaluationMetrics e) {
        long[][] counts = e.confusion();
        List<List<Object>> rows = new ArrayList<>();
        List<Object> head = new ArrayList<>(List.of("actual \\ predicted"));
        e.labels().forEach(c -> head.add(e.classNames().get(c)));
        rows.add(head);
        for (int a : e.labels()) {
            List<Object> row = new ArrayList<>(List.of(e.classNames().get(a)));
            e.labels().forEach(p -> row.add(counts[a][p]));
            rows.add(row);
        }
        return rows;
    }

    static List<List<Object>> confusedPairs(EvaluationMetrics e) {
        List<List<Object>> rows = new ArrayList<>();
        rows.add(List.of("rank", "actual", "predicted", "count", "share_of_actual"));
        int rank = 1;
        for (EvaluationMetrics.Confusion c : e.mostConfused(CONFUSED_PAIRS_LISTED)) {
            rows.add(List.of(rank++, e.classNames().get(c.actual()), e.classNames().get(c.predicted()), c.count(),
                    (double) c.count() / support(e, c.actual())));
        }
        return rows;
    }

    static List<List<Object>> predictions(EvaluationMetrics e) {
        List<List<Object>> rows = new ArrayList<>();
        List<Object> head = new ArrayList<>(List.of("image", "actual", "predicted", "correct", "confidence", "nll"));
        for (int k = 1; k <= EvaluationMetrics.TOP_K; k++) {
            head.add("top" + k);
            head.add("p" + k);
        }
        rows.add(head);
        for (ScoredImage s : e.mistakesFirst()) {
            List<Object> row = new ArrayList<>(List.of(s.name(), e.classNames().get(s.label()),
                    e.classNames().get(s.predicted()), s.correct(), s.confidence(), s.nll()));
            for (int k = 0; k < EvaluationMetrics.TOP_K; k++) {
                row.add(k < s.top().length ? e.classNames().get(s.top()[k]) : "");
                row.add(k < s.top().length ? (Object) s.probabilities()[k] : "");
            }
            rows.add(row);
        }
        return rows;
    }

    static long support(EvaluationMetrics e, int c) {
        return e.perClass().stream().filter(m -> m.index() == c).mapToLong(ClassMetrics::support).findFirst().orElse(0);
    }

    private static void csv(Path file, List<List<Object>> rows) throws IOException {
        try (SequenceWriter w = CSV.writer().writeValues(file.toFile())) {
            for (List<Object> row : rows) {
                w.write(row.stream().map(EvaluationFiles::cell).toList());
            }
        }
    }

    /** A NaN (undefined) as an empty cell, a boolean as 1 or 0, doubles with enough digits to round-trip. */
    static String cell(Object v) {
        if (v instanceof Double d) {
            return Double.isFinite(d) ? Double.toString(d) : "";
        }
        if (v instanceof Boolean b) {
            return b ? "1" : "0";
        }
        return String.valueOf(v);
    }

    private static boolean isEmpty(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.findAny().isEmpty();
        } catch (IOException e) {
            return false;
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("leno: warning: could not remove " + dir + " (" + e.getMessage() + ")");
        }
    }
}
