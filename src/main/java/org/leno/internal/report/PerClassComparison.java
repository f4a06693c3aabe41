package org.leno.internal.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.leno.internal.evaluate.SavedEvaluation;
import org.leno.internal.run.RunLayout;

/**
 * Per-class accuracy of a comparison's architectures side by side: for each (arch, depth), the mean
 * over its complete runs of the accuracy in RUN/{@value #FOLDER}/per_class.csv (written by `leno
 * validate --weights RUN`, or by `leno compare --validate`), classes matched by name.
 */
record PerClassComparison(List<Column> columns, List<String> classes, List<double[]> accuracy) {
    static final String FOLDER = RunLayout.EVAL_PREFIX + "val";

    /** One (arch, depth) with evaluations: its display name and how many runs its means are over. */
    record Column(String name, String arch, int depth, int runs) {
        String heading() {
            return name + " (" + runs + (runs == 1 ? " run)" : " runs)");
        }
    }

    /** Empty when no complete run has an evaluation. */
    static Optional<PerClassComparison> of(Comparison c) {
        List<Column> columns = new ArrayList<>();
        List<Map<String, Double>> means = new ArrayList<>();
        Map<String, Integer> order = new LinkedHashMap<>();
        for (Comparison.Group g : c.groups()) {
            List<SavedEvaluation> evaluations = g.complete().stream()
                    .map(r -> SavedEvaluation.read(r.dir().resolve(FOLDER))).flatMap(Optional::stream).toList();
            if (evaluations.isEmpty()) {
                continue;
            }
            columns.add(new Column(g.name(), g.arch(), g.depth(), evaluations.size()));
            means.add(meanAccuracy(evaluations, order));
        }
        if (columns.isEmpty()) {
            return Optional.empty();
        }
        List<double[]> accuracy = new ArrayList<>();
        for (String name : order.keySet()) {
            double[] row = new double[columns.size()];
            for (int k = 0; k < columns.size(); k++) {
                row[k] = means.get(k).getOrDefault(name, Double.NaN);
            }
            accuracy.add(row);
        }
        return Optional.of(new PerClassComparison(columns, List.copyOf(order.keySet()), accuracy));
    }

    /** Class name to mean accuracy (%) over the evaluations that have a value for it; names added to {@code order}. */
    private static Map<String, Double> meanAccuracy(List<SavedEvaluation> evaluations, Map<String, Integer> order) {
        Map<String, double[]> sums = new LinkedHashMap<>();
        for (SavedEvaluation e : evaluations) {
            int name = e.perClassColumns().indexOf("class");
            int accuracy = e.perClassColumns().indexOf("accuracy");
            for (List<String> row : e.perClass()) {
                order.putIfAbsent(row.get(name), order.size());
                if (!row.get(accuracy).isEmpty()) {
                    double[] s = sums.computeIfAbsent(row.get(name), k -> new double[2]);
                    s[0] += Double.parseDouble(row.get(accuracy));
                    s[1]++;
                }
            }
        }
        Map<String, Double> out = new LinkedHashMap<>();
        sums.forEach((k, s) -> out.put(k, s[0] / s[1]));
        return out;
    }

    /** The column of {@code baseline} at the depth of column {@code k}, or -1. */
    int baselineOf(int k, String baseline) {
        for (int b = 0; b < columns.size(); b++) {
            if (b != k && columns.get(b).arch().equals(baseline) && columns.get(b).depth() == columns.get(k).depth()) {
                return b;
            }
        }
        return -1;
    }

    /** The page's data: columns (class, then one per group) and rows, NaN as null. */
    Map<String, Object> json() {
        List<String> head = new ArrayList<>(List.of("class"));
        columns.forEach(c -> head.add(c.heading()));
        List<Object> rows = new ArrayList<>();
        for (int i = 0; i < classes.size(); i++) {
            List<Object> row = new ArrayList<>(List.of(classes.get(i)));
            for (double v : accuracy.get(i)) {
                row.add(Double.isFinite(v) ? v : null);
            }
            rows.add(row);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("columns", head);
        m.put("rows", rows);
        return m;
    }
}
