package org.leno.internal.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A numeric file with a header row (train.log, val.log, timing.tsv, gradnorm.tsv, gradnorm CSVs).
 * Rows that do not parse or have too few fields are left out: a trainer may be writing the last one.
 */
record Table(List<String> columns, List<double[]> rows) {

    /** The file's table; empty when the file does not exist. */
    static Optional<Table> read(Path file, String separator) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + ": " + e.getMessage());
        }
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        Pattern split = Pattern.compile(Pattern.quote(separator));
        List<String> columns = Arrays.stream(split.split(lines.get(0).strip())).map(String::strip).toList();
        List<double[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = split.split(line.strip());
            if (f.length >= columns.size()) {
                parse(f, columns.size()).ifPresent(rows::add);
            }
        }
        return Optional.of(new Table(columns, rows));
    }

    private static Optional<double[]> parse(String[] fields, int n) {
        double[] row = new double[n];
        for (int i = 0; i < n; i++) {
            try {
                row[i] = Double.parseDouble(fields[i].strip());
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(row);
    }

    int column(String name) {
        int i = columns.indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException("no column '" + name + "' in " + columns);
        }
        return i;
    }

    boolean has(String... names) {
        return columns.containsAll(List.of(names));
    }

    /** The last row for each value of the key columns, in the order of their first appearance (a resume may repeat an epoch). */
    Table lastPerKey(String... keys) {
        int[] k = Arrays.stream(keys).mapToInt(this::column).toArray();
        Map<List<Double>, double[]> last = new LinkedHashMap<>();
        for (double[] r : rows) {
            List<Double> key = Arrays.stream(k).mapToObj(i -> r[i]).toList();
            last.put(key, r);
        }
        return new Table(columns, new ArrayList<>(last.values()));
    }
}
