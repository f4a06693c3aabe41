package org.leno.internal.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.leno.internal.evaluate.EvaluationCharts;
import org.leno.internal.evaluate.SavedEvaluation;

/** Puts the page together: the template with the styles, ECharts, the data, the summary table and our script inlined. */
final class ReportPage {
    static final String ECHARTS = "/META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";

    private ReportPage() {
    }

    static String html(ReportData data, Instant generated) {
        String title = "LeNo report: " + String.join(", ", data.names());
        return page("report.html", title, generated, Map.of(
                "data", json(data.json(title, generated.toString())),
                "summary", SummaryTable.html(data),
                "charts", charts(data),
                "script", pageScript("report.js")));
    }

    /**
     * {@code template} filled with what every page has (head.html: the content policy, the title, the
     * styles and the problems script; ECharts; the time written) and its own {@code parts}.
     */
    static String page(String template, String title, Instant generated, Map<String, String> parts) {
        String escaped = SummaryTable.escape(title);
        Map<String, String> all = new HashMap<>(parts);
        all.put("head", fill(resource("head.html"), Map.of(
                "title", escaped,
                "problems", script(resource("problems.js"), "problems.js"),
                "css", resource("report.css"))));
        all.put("title", escaped);
        all.put("generated", generated.toString());
        all.put("echarts", script(resource(ECHARTS), ECHARTS));
        return fill(resource(template), all);
    }

    /** The chart containers (filled by report.js): only those the runs have data for. */
    static String charts(ReportData data) {
        boolean checkpoints = data.runs().stream().anyMatch(r -> !r.checkpoints().isEmpty());
        boolean tracked = data.runs().stream().anyMatch(ReportPage::hasTracked);
        StringBuilder b = new StringBuilder("<div class=\"row three\">\n");
        b.append(card("loss", "Loss", "Training (solid) and validation (dashed) mean cross-entropy per epoch, log axis.", ""));
        b.append(card("acc1", "Val Acc@1", "Validation top-1 accuracy (solid) and training Acc@1 (dotted) per epoch, in %.", ""));
        b.append(card("lr", "Learning rate", "The rate used in each epoch (train.log), log axis.", ""));
        b.append("</div>\n<div class=\"row two\">\n");
        if (checkpoints) {
            b.append(card("ratio-checkpoints", "Gradient norm ratio per block, at checkpoints",
                    "||dL/dx|| / ||dL/dy|| per residual block from leno gradnorm, log axis 0.1-10; dotted lines: transition blocks; "
                            + "earlier checkpoints dashed and lighter.", ""));
        }
        if (tracked) {
            b.append(card("ratio-tracked", "Gradient norm ratio per block, during training",
                    "From gradnorm.tsv (train --track-gradnorm N); move the slider through training.",
                    "<div class=\"slider\"><input type=\"range\" id=\"tracked-slider\" min=\"0\" max=\"0\" value=\"0\">"
                            + "<output id=\"tracked-label\"></output></div>"));
        }
        if (!checkpoints && !tracked) {
            b.append("<section class=\"card\"><div class=\"card-head\"><h2>Gradient norm ratios</h2></div><p class=\"note\">"
                    + "No gradient norm data: run <code>leno gradnorm --weights RUN/checkpoint.pth.tar --out RUN/gradnorm</code> "
                    + "or train with <code>--track-gradnorm N</code>.</p></section>\n");
        }
        b.append("</div>\n");
        if (tracked) {
            b.append("<div class=\"row three\">\n");
            for (int i = 0; i < data.runs().size(); i++) {
                if (hasTracked(data.runs().get(i))) {
                    b.append(card("heat-" + i, "Evolution: " + SummaryTable.escape(data.names().get(i)),
                            "log10 of the ratio per block (rows) over recorded iterations (columns); bold: transition blocks.", ""));
                }
            }
            b.append("</div>\n");
        }
        return b.append(evaluations(data)).toString();
    }

    /** Per evaluation of `leno validate` (RUN/eval-*): its confusion matrix and reliability diagram, then its per-class table. */
    static String evaluations(ReportData data) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < data.runs().size(); i++) {
            List<SavedEvaluation> evaluations = data.runs().get(i).evaluations();
            for (int k = 0; k < evaluations.size(); k++) {
                String id = i + "-" + k;
                String title = SummaryTable.escape((data.runs().size() > 1 ? data.names().get(i) + " " : "")
                        + evaluations.get(k).name());
                b.append("<h2 class=\"section\">Evaluation: ").append(title).append("</h2>\n");
                b.append("<p class=\"note\" id=\"evaluation-").append(id).append("\"></p>\n<div class=\"row two\">\n");
                b.append(tall(card("confusion-" + id, "Confusion matrix, " + title,
                        "Rows: actual classes, each divided by its images; columns: predicted. Hover a cell for its count. Above "
                                + EvaluationCharts.READABLE_CLASSES + " classes: those of the largest confusions.", "")));
                b.append(tall(card("reliability-" + id, "Reliability, " + title,
                        "Accuracy against mean top-1 probability in 15 equal bins (dots), the diagonal of perfect calibration, "
                                + "and each bin's share of the images (bars).", "")));
                b.append("</div>\n<section class=\"card\"><div class=\"card-head\"><h2>Per class, ").append(title)
                        .append("</h2><button class=\"csv\" data-csv=\"perclass-").append(id).append("\">CSV</button></div>\n")
                        .append("<p class=\"note\">Click a column heading to sort by it (again to reverse). Accuracy in %; "
                                + "an empty cell is undefined (no image of the class, or nothing predicted as it).</p>\n")
                        .append("<div class=\"table-scroll\"><table class=\"summary numbers sortable\" id=\"perclass-")
                        .append(id).append("\"></table></div></section>\n");
            }
        }
        return b.toString();
    }

    /** A card whose chart is as tall as a matrix of 30 named classes needs. */
    private static String tall(String card) {
        return card.replace("class=\"chart\"", "class=\"chart matrix\"");
    }

    private static boolean hasTracked(RunFolder run) {
        return run.tracked().map(t -> !t.rows().isEmpty()).orElse(false);
    }

    static String card(String id, String title, String note, String extra) {
        return "<section class=\"card\"><div class=\"card-head\"><h2>" + title + "</h2><button class=\"csv\" data-csv=\"" + id
                + "\">CSV</button></div>\n<p class=\"note\">" + note + "</p>" + extra + "\n<div class=\"chart\" id=\"chart-" + id
                + "\"></div></section>\n";
    }

    /** JSON that cannot end its script element: every '<' is written as the JSON escape \u003c. */
    static String json(Map<String, Object> tree) {
        try {
            return new ObjectMapper().writeValueAsString(tree).replace("<", "\\u003c");
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the report's data: " + e.getOriginalMessage(), e);
        }
    }

    /** page.js (shared) and then the page's own script. */
    static String pageScript(String name) {
        return script(resource("page.js"), "page.js") + "\n" + script(resource(name), name);
    }

    static String script(String js, String name) {
        if (js.toLowerCase(java.util.Locale.ROOT).contains("</script")) {
            throw new IllegalStateException(name + " contains </script and cannot be inlined");
        }
        return js;
    }

    /** Replaces each {{name}} of the template once, without looking into what it inserts. */
    static String fill(String template, Map<String, String> parts) {
        StringBuilder out = new StringBuilder(template.length() + parts.values().stream().mapToInt(String::length).sum());
        int at = 0;
        while (true) {
            int open = template.indexOf("{{", at);
            if (open < 0) {
                return out.append(template, at, template.length()).toString();
            }
            int close = template.indexOf("}}", open);
            String name = template.substring(open + 2, close);
            if (!parts.containsKey(name)) {
                throw new IllegalStateException("page template: unknown part {{" + name + "}}");
            }
            out.append(template, at, open).append(parts.get(name));
            at = close + 2;
        }
    }

    static String resource(String name) {
        try (InputStream in = ReportPage.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is missing from the classpath (a broken build?)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + name + " from the classpath: " + e.getMessage(), e);
        }
    }
}
