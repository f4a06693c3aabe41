package org.leno.internal.report;

import static org.leno.internal.report.SummaryTable.escape;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.leno.internal.run.RunLayout;

/**
 * The page of a comparison over seeds: the sentences, the table of differences with their
 * intervals, mean and sd per (arch, depth), curves with sd bands and every seed's final point, the
 * gradient norm ratios per depth (at initialisation with their spread over seeds, and at the first
 * and best checkpoints), and every run with its folder. One file, no network request.
 */
final class ComparisonPage {
    static final List<String> CHECKPOINTS = List.of("checkpoint_epoch1", "model_best");

    private ComparisonPage() {
    }

    static String html(Comparison c, List<ModelFacts> models, String title, Instant generated) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("format", ComparisonFiles.FORMAT);
        data.put("title", title);
        data.put("generated", generated.toString());
        data.put("summary", ComparisonFiles.tree(c));
        List<Map<String, Object>> groups = new ArrayList<>();
        for (int i = 0; i < c.groups().size(); i++) {
            groups.add(model(c.groups().get(i), models.get(i)));
        }
        data.put("models", groups);
        Optional<PerClassComparison> perClass = PerClassComparison.of(c);
        data.put("per_class", perClass.map(PerClassComparison::json).orElse(null));
        return ReportPage.page("compare.html", title, generated, Map.of(
                "data", ReportPage.json(data),
                "body", body(c, models, groups) + perClass.map(p -> perClass(p, c.baseline())).orElse(""),
                "script", ReportPage.pageScript("compare.js")));
    }

    /** Per group: its model and the ratio curves' spread over its complete runs. */
    private static Map<String, Object> model(Comparison.Group g, ModelFacts f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", g.name());
        m.put("params", f == null ? null : f.params());
        m.put("transitions", f == null ? List.of() : f.transitions());
        Map<String, Object> ratios = new LinkedHashMap<>();
        spread(g.complete().stream().map(r -> initCurve(r)).flatMap(Optional::stream).toList()).ifPresent(s -> ratios.put("init", s));
        for (String label : CHECKPOINTS) {
            spread(g.complete().stream().flatMap(r -> RunFolder.checkpoints(r.dir()).stream())
                    .filter(cp -> cp.label().equals(label)).map(RunFolder.CheckpointCurve::table).toList())
                    .ifPresent(s -> ratios.put(label, s));
        }
        m.put("ratios", ratios);
        return m;
    }

    /** RUN/gradnorm/init/&lt;arch&gt;&lt;depth&gt;.csv, written by `leno gradnorm` without weights. */
    static Optional<Table> initCurve(SeedRun r) {
        Path csv = new RunLayout(r.dir()).gradnormDir().resolve("init").resolve(r.arch() + r.depth() + ".csv");
        return Table.read(csv, ",").filter(t -> t.columns().equals(RunFolder.CURVE_COLUMNS));
    }

    /** Per block: the geometric mean, min and max of the ratio over the curves with the first curve's blocks. */
    static Optional<Map<String, Object>> spread(List<Table> curves) {
        if (curves.isEmpty()) {
            return Optional.empty();
        }
        List<double[]> blocks = curves.get(0).rows();
        List<Table> same = curves.stream().filter(t -> t.rows().size() == blocks.size()).toList();
        int ratio = RunFolder.CURVE_COLUMNS.indexOf("ratio");
        List<Object> rows = new ArrayList<>();
        for (int b = 0; b < blocks.size(); b++) {
            double logSum = 0;
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (Table t : same) {
                double v = t.rows().get(b)[ratio];
                logSum += Math.log(v);
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            rows.add(List.of((int) blocks.get(b)[0], Math.exp(logSum / same.size()), min, max));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", same.size());
        m.put("columns", List.of("block", "geometric_mean", "min", "max"));
        m.put("rows", rows);
        return Optional.of(m);
    }

    private static String body(Comparison c, List<ModelFacts> models, List<Map<String, Object>> groupData) {
        StringBuilder b = new StringBuilder();
        b.append(verdict(c));
        b.append(tableCard("differences", "Differences from " + escape(c.baseline()) + ", paired by seed",
                "Each architecture minus the baseline at the same depth and seed, over the seeds where both runs are complete. "
                        + "95% interval: mean &plusmn; t(0.975, n&minus;1) &middot; sd / &radic;n (Student t); resolved when it "
                        + "excludes 0.", differences(c)));
        b.append(tableCard("groups", "Per architecture and depth", "Mean &plusmn; sd over the complete runs (sd needs 2 seeds).",
                groups(c, models)));
        b.append("<div class=\"row two\">\n");
        b.append(ReportPage.card("acc1", "Val Acc@1 over seeds",
                "Mean per epoch (line) &plusmn; sd (band) of each architecture and depth; dots: every seed's last epoch.", ""));
        b.append(ReportPage.card("loss", "Train loss over seeds",
                "Mean per epoch &plusmn; sd of the training loss; dots: every seed's last epoch.", ""));
        b.append("</div>\n<div class=\"row two\">\n");
        for (int depth : c.depths()) {
            if (!hasRatios(c, groupData, depth)) {
                continue;
            }
            b.append(ReportPage.card("ratio-" + depth, "Gradient norm ratio per block, depth " + depth,
                    "||dL/dx|| / ||dL/dy|| per residual block (leno gradnorm), log axis: at initialisation the geometric mean "
                            + "over seeds (dotted) with their min&ndash;max (band); after epoch 1 (dashed) and at the best "
                            + "checkpoint (solid), geometric means over seeds.", ""));
        }
        b.append("</div>\n");
        b.append(tableCard("runs", "Runs", "Every (architecture, depth, seed) with its folder; incomplete runs are in no statistic.",
                runs(c)));
        return b.toString();
    }

    /** The per-class accuracies side by side, then each architecture's difference from the baseline at its depth. */
    private static String perClass(PerClassComparison p, String baseline) {
        List<String> head = new ArrayList<>(List.of("class"));
        p.columns().forEach(c -> head.add(c.heading()));
        List<int[]> pairs = new ArrayList<>();
        for (int k = 0; k < p.columns().size(); k++) {
            int b = p.baselineOf(k, baseline);
            if (b >= 0) {
                pairs.add(new int[] {k, b});
                head.add(p.columns().get(k).name() + " minus " + p.columns().get(b).name());
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < p.classes().size(); i++) {
            double[] a = p.accuracy().get(i);
            List<String> row = new ArrayList<>(List.of(p.classes().get(i)));
            for (double v : a) {
                row.add(number(v, "%.2f"));
            }
            for (int[] pair : pairs) {
                double d = a[pair[0]] - a[pair[1]];
                row.add(Double.isFinite(d) ? String.format(Locale.ROOT, "%+.2f", d) : "n/a");
            }
            rows.add(row);
        }
        return tableCard("per-class", "Per-class accuracy, side by side",
                "Top-1 accuracy (%) of each class: the mean over the complete runs that have an evaluation in RUN/"
                        + PerClassComparison.FOLDER + " (leno validate --weights RUN, or leno compare --validate); classes "
                        + "matched by name; then each architecture minus " + escape(baseline) + " at its depth.", table(head, rows));
    }

    private static boolean hasRatios(Comparison c, List<Map<String, Object>> groupData, int depth) {
        for (int i = 0; i < c.groups().size(); i++) {
            if (c.groups().get(i).depth() == depth && !((Map<?, ?>) groupData.get(i).get("ratios")).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    private static String verdict(Comparison c) {
        StringBuilder b = new StringBuilder("<section class=\"card\"><div class=\"card-head\"><h2>Verdict (best val Acc@1, "
                + "minus " + escape(c.baseline()) + ")</h2></div>\n<ul class=\"sentences\">\n");
        List<Comparison.Difference> best = c.differences().stream().filter(d -> d.quantity().equals(Comparison.BEST)).toList();
        for (Comparison.Difference d : best) {
            b.append("<li class=\"").append(d.interval().resolved() ? "resolved" : "unresolved").append("\">")
                    .append(escape(d.sentence())).append("</li>\n");
        }
        if (best.isEmpty()) {
            b.append("<li>No differences: the baseline ").append(escape(c.baseline())).append(" is not among the architectures.</li>\n");
        }
        b.append("</ul>\n");
        List<SeedRun> incomplete = c.runs().stream().filter(r -> !r.complete() && Files.exists(r.dir())).toList();
        if (!incomplete.isEmpty()) {
            b.append("<p class=\"note incomplete\">Incomplete, left out: ").append(incomplete.stream()
                    .map(r -> escape(r.problem())).collect(Collectors.joining("; "))).append("</p>\n");
        }
        long untrained = c.runs().stream().filter(r -> !Files.exists(r.dir())).count();
        if (untrained > 0) {
            b.append("<p class=\"note incomplete\">Not trained yet: ").append(untrained).append(" of ").append(c.runs().size())
                    .append(" runs (see Runs below).</p>\n");
        }
        return b.append("</section>\n").toString();
    }

    private static String tableCard(String id, String title, String note, String table) {
        return "<section class=\"card\"><div class=\"card-head\"><h2>" + title + "</h2><button class=\"csv\" data-csv=\"" + id
                + "\">CSV</button></div>\n<p class=\"note\">" + note + "</p>\n" + table + "</section>\n";
    }

    private static String differences(Comparison c) {
        List<List<String>> rows = new ArrayList<>();
        for (Comparison.Difference d : c.differences()) {
            SeedStatistics.Interval i = d.interval();
            rows.add(List.of(Comparison.displayName(d.arch(), d.depth()), Comparison.displayName(d.baseline(), d.depth()),
                    d.quantity().equals(Comparison.BEST) ? "best val Acc@1" : "last val Acc@1",
                    d.seeds().stream().map(String::valueOf).collect(Collectors.joining(" ")),
                    i.n() == 0 ? "n/a" : String.format(Locale.ROOT, "%+.2f", i.mean()), number(i.sd(), "%.2f"),
                    i.hasInterval() ? String.format(Locale.ROOT, "%+.2f to %+.2f", i.low(), i.high()) : "none (1 seed)",
                    d.won() + " / " + d.lost() + " / " + d.tied(), ComparisonFiles.note(d)));
        }
        return table(List.of("architecture", "minus", "quantity", "seeds", "mean difference (points)", "sd", "95% interval",
                "won / lost / tied", "verdict"), rows);
    }

    private static String groups(Comparison c, List<ModelFacts> models) {
        List<List<String>> rows = new ArrayList<>();
        for (int k = 0; k < c.groups().size(); k++) {
            Comparison.Group g = c.groups().get(k);
            rows.add(List.of(g.name(), models.get(k) == null ? "n/a"
                            : String.format(Locale.ROOT, "%.1f M", models.get(k).params() / 1e6),
                    g.complete().stream().map(r -> String.valueOf(r.seed())).collect(Collectors.joining(" "))
                            + (g.incomplete().isEmpty() ? "" : " (incomplete: " + g.incomplete().stream()
                            .map(r -> String.valueOf(r.seed())).collect(Collectors.joining(" ")) + ")"),
                    stat(g.best(), "%.2f"), stat(g.last(), "%.2f"), stat(g.finalTrainLoss(), "%.4f")));
        }
        return table(List.of("architecture", "parameters", "seeds", "best val Acc@1", "last val Acc@1", "final train loss"), rows);
    }

    private static String runs(Comparison c) {
        List<List<String>> rows = new ArrayList<>();
        for (SeedRun r : c.runs()) {
            rows.add(List.of(Comparison.displayName(r.arch(), r.depth()), String.valueOf(r.seed()),
                    r.complete() ? String.join("; ", prepend("complete", r.notes())) : "incomplete: " + r.problem(),
                    number(r.bestAcc1().orElse(Double.NaN), "%.2f"), number(r.lastAcc1(c.epochs()).orElse(Double.NaN), "%.2f"),
                    number(r.finalTrainLoss(c.epochs()).orElse(Double.NaN), "%.4f"), r.dir().toString()));
        }
        return table(List.of("architecture", "seed", "status", "best val Acc@1", "last val Acc@1", "final train loss", "folder"), rows);
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    private static String stat(Comparison.Stat s, String format) {
        if (s.n() == 0) {
            return "n/a (no complete run)";
        }
        return String.format(Locale.ROOT, format, s.mean()) + (s.n() > 1 ? " ± " + String.format(Locale.ROOT, format, s.sd())
                : " (1 seed)");
    }

    private static String number(double v, String format) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, format, v) : "n/a";
    }

    private static String table(List<String> head, List<List<String>> rows) {
        StringBuilder b = new StringBuilder("<table class=\"summary numbers\">\n<thead><tr>");
        head.forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
        b.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            b.append("<tr>");
            row.forEach(cell -> b.append("<td>").append(escape(cell)).append("</td>"));
            b.append("</tr>\n");
        }
        return b.append("</tbody>\n</table>\n").toString();
    }
}
