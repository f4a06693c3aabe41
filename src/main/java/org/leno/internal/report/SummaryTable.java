package org.leno.internal.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/** The summary table: one column per run, one row per quantity, "n/a" where a run lacks the file. */
final class SummaryTable {
    static final String NA = "n/a";
    /** Flags that the architecture and depth rows already show. */
    private static final java.util.Set<String> SHOWN_ABOVE = java.util.Set.of("arch", "model_depth");

    private SummaryTable() {
    }

    static String html(ReportData d) {
        StringBuilder b = new StringBuilder("<table class=\"summary\">\n<thead><tr><th></th>");
        for (int i = 0; i < d.names().size(); i++) {
            b.append("<th data-run=\"").append(i).append("\"><span class=\"chip\"></span>").append(escape(d.names().get(i)))
                    .append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (String[] row : rows(d)) {
            b.append("<tr><th>").append(row[0]).append("</th>");
            for (int i = 1; i < row.length; i++) {
                b.append("<td>").append(escape(row[i])).append("</td>");
            }
            b.append("</tr>\n");
        }
        return b.append("</tbody>\n</table>").toString();
    }

    /** Each row: its heading (HTML) and one plain-text cell per run. */
    static List<String[]> rows(ReportData d) {
        List<String[]> rows = new ArrayList<>();
        rows.add(row(d, "architecture", i -> facts(d, i) == null ? d.runs().get(i).arg("arch").orElse(NA)
                : facts(d, i).model().arch().displayName() + " (" + facts(d, i).model().arch().id() + ")"));
        rows.add(row(d, "depth (blocks per stage)", i -> facts(d, i) == null ? NA : facts(d, i).model().depth() + " ("
                + String.join("-", java.util.Arrays.stream(facts(d, i).blocksPerStage()).mapToObj(String::valueOf).toList()) + ")"));
        rows.add(row(d, "parameters", i -> facts(d, i) == null ? NA
                : String.format(Locale.ROOT, "%,d (%.1f M)", facts(d, i).params(), facts(d, i).params() / 1e6)));
        rows.add(row(d, "MACs per image", i -> facts(d, i) == null ? NA : macs(facts(d, i))));
        List<String> flags = d.differingFlags().stream().filter(f -> !SHOWN_ABOVE.contains(f)).toList();
        for (String flag : flags) {
            rows.add(row(d, "<code>" + escape(flag) + "</code>", i -> d.runs().get(i).args().getOrDefault(flag, "(not set)")));
        }
        if (flags.isEmpty() && d.runs().size() > 1) {
            rows.add(row(d, "other flags (args.json)", i -> "the same in all runs"));
        }
        rows.add(row(d, "epochs done", i -> String.valueOf(d.summaries().get(i).epochs())));
        rows.add(row(d, "best val Acc@1 / Acc@5", i -> accuracy(d.summaries().get(i).bestAcc1(), d.summaries().get(i).bestAcc5(),
                d.summaries().get(i).bestEpoch())));
        rows.add(row(d, "last val Acc@1 / Acc@5", i -> accuracy(d.summaries().get(i).lastAcc1(), d.summaries().get(i).lastAcc5(),
                d.summaries().get(i).lastEpoch())));
        rows.add(row(d, "wall time (train + val)", i -> wallTime(d.summaries().get(i))));
        rows.add(row(d, "training images/s", i -> d.summaries().get(i).imagesPerSecond() == null ? NA
                : String.format(Locale.ROOT, "%.1f", d.summaries().get(i).imagesPerSecond())));
        rows.add(row(d, "gradient norm data", i -> gradnorm(d.runs().get(i))));
        return rows;
    }

    private static String[] row(ReportData d, String heading, IntFunction<String> cell) {
        String[] r = new String[d.runs().size() + 1];
        r[0] = heading;
        for (int i = 0; i < d.runs().size(); i++) {
            r[i + 1] = cell.apply(i);
        }
        return r;
    }

    private static ModelFacts facts(ReportData d, int i) {
        return d.facts().get(i);
    }

    static String macs(ModelFacts f) {
        double m = f.macs();
        String amount = m >= 1e9 ? String.format(Locale.ROOT, "%.2f G", m / 1e9) : String.format(Locale.ROOT, "%.1f M", m / 1e6);
        return amount + " at " + f.macsSize() + "x" + f.macsSize() + " (" + f.sizeSource() + ")";
    }

    private static String accuracy(Double acc1, Double acc5, Integer epoch) {
        return acc1 == null ? NA : String.format(Locale.ROOT, "%.2f / %.2f (epoch %d)", acc1, acc5, epoch);
    }

    private static String wallTime(RunSummary s) {
        return s.wallSeconds() == null ? NA : duration(s.wallSeconds()) + " (" + duration(s.trainSeconds()) + " + "
                + duration(s.valSeconds()) + ")";
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1f s", seconds);
        }
        if (s < 3600) {
            return s / 60 + " min " + s % 60 + " s";
        }
        return s / 3600 + " h " + (s % 3600) / 60 + " min";
    }

    private static String gradnorm(RunFolder r) {
        List<String> parts = new ArrayList<>();
        if (!r.checkpoints().isEmpty()) {
            parts.add(r.checkpoints().size() + " checkpoint curve" + (r.checkpoints().size() == 1 ? "" : "s"));
        }
        r.tracked().ifPresent(t -> parts.add(t.rows().stream().mapToDouble(row -> row[t.column("iteration")]).distinct().count()
                + " recordings in gradnorm.tsv"));
        return parts.isEmpty() ? "none" : String.join(", ", parts);
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
