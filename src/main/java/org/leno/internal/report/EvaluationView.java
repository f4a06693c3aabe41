package org.leno.internal.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.leno.internal.evaluate.EvaluationCharts;
import org.leno.internal.evaluate.SavedEvaluation;
import org.leno.internal.evaluate.TopConfusions;

/**
 * One evaluation of `leno validate` as the report page draws it: its headline numbers, the per-class
 * table, the confusion matrix (row-normalised; the classes of the top confusions when there are more
 * than confusion.png shows), the reliability bins and the most-confused pairs.
 */
final class EvaluationView {
    private static final List<String> HEADLINE = List.of("acc1", "acc5", "loss", "f1_macro", "precision_macro",
            "recall_macro", "balanced_accuracy", "ece", "images", "unreadable_images", "data", "split", "weights");

    private EvaluationView() {
    }

    static Map<String, Object> json(SavedEvaluation e) {
        ObjectMapper mapper = new ObjectMapper();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", e.name());
        Map<String, Object> summary = new LinkedHashMap<>();
        for (String key : HEADLINE) {
            JsonNode v = e.summary().get(key);
            summary.put(key, v == null || v.isNull() ? null : mapper.convertValue(v, Object.class));
        }
        summary.put("tta", e.summary().path("tta").path("mode").asText("none"));
        summary.put("acc1_gain", e.summary().path("tta").has("acc1_gain") ? e.summary().path("tta").get("acc1_gain").asDouble() : null);
        m.put("summary", summary);
        m.put("per_class", perClass(e));
        m.put("confusion", confusion(e));
        m.put("reliability", mapper.convertValue(e.summary().path("reliability"), Object.class));
        m.put("most_confused", mapper.convertValue(e.summary().path("most_confused"), Object.class));
        return m;
    }

    /** The per-class rows with numbers as numbers and empty (undefined) cells as null. */
    private static Map<String, Object> perClass(SavedEvaluation e) {
        List<Object> rows = new ArrayList<>();
        int name = e.perClassColumns().indexOf("class");
        for (List<String> row : e.perClass()) {
            List<Object> cells = new ArrayList<>();
            for (int i = 0; i < row.size(); i++) {
                cells.add(i == name ? row.get(i) : number(row.get(i)));
            }
            rows.add(cells);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("columns", e.perClassColumns());
        m.put("rows", rows);
        return m;
    }

    private static Map<String, Object> confusion(SavedEvaluation e) {
        long[][] counts = e.confusion();
        List<Integer> shown = TopConfusions.classes(counts, EvaluationCharts.READABLE_CLASSES);
        List<Object> shares = new ArrayList<>();
        List<Object> cells = new ArrayList<>();
        for (int r : shown) {
            long support = 0;
            for (long v : counts[r]) {
                support += v;
            }
            List<Object> shareRow = new ArrayList<>();
            List<Object> countRow = new ArrayList<>();
            for (int c : shown) {
                shareRow.add(support == 0 ? 0.0 : (double) counts[r][c] / support);
                countRow.add(counts[r][c]);
            }
            shares.add(shareRow);
            cells.add(countRow);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("classes", shown.stream().map(e.confusionClasses()::get).toList());
        m.put("of", counts.length);
        m.put("shares", shares);
        m.put("counts", cells);
        return m;
    }

    private static Object number(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            double v = Double.parseDouble(s);
            return v == Math.rint(v) && Math.abs(v) < 1e15 && !s.contains(".") ? (Object) (long) v : (Object) v;
        } catch (NumberFormatException ex) {
            return s;
        }
    }
}
