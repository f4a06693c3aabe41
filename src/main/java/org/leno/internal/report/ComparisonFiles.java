package org.leno.internal.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.stream.Collectors;
import org.leno.internal.interop.AtomicFiles;

/**
 * DIR/summary.tsv and DIR/summary.json of a {@link Comparison}. The TSV is long: one number per row
 * (kind run, group, epoch or difference), with the run folder where a row comes from one run.
 */
final class ComparisonFiles {
    static final String TSV = "summary.tsv";
    static final String JSON = "summary.json";
    static final int FORMAT = 1;
    static final String TSV_HEADER = String.join("\t", "kind", "depth", "arch", "baseline", "seed", "quantity", "epoch", "n",
            "mean", "sd", "ci_low", "ci_high", "won", "note", "folder");
    static final String INTERVAL = "paired over seeds: mean difference +- t(0.975, n-1) * sd / sqrt(n), Student t quantile "
            + "from the inverse t CDF (regularized incomplete beta, bisection); none below 2 seeds";

    private ComparisonFiles() {
    }

    static void write(Comparison c, Path dir) {
        byte[] tsv = tsv(c).getBytes(StandardCharsets.UTF_8);
        byte[] json = (json(c) + "\n").getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(TSV), o -> o.write(tsv));
        AtomicFiles.write(dir.resolve(JSON), o -> o.write(json));
    }

    static String json(Comparison c) {
        try {
            return new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(tree(c));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the comparison summary: " + e.getOriginalMessage(), e);
        }
    }

    static Map<String, Object> tree(Comparison c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("baseline", c.baseline());
        m.put("epochs", c.epochs());
        m.put("interval", INTERVAL);
        m.put("level", Comparison.LEVEL);
        m.put("sentences", c.sentences());
        m.put("differences", c.differences().stream().map(ComparisonFiles::difference).toList());
        m.put("groups", c.groups().stream().map(ComparisonFiles::group).toList());
        m.put("runs", c.runs().stream().map(r -> run(r, c.epochs())).toList());
        return m;
    }

    private static Map<String, Object> difference(Comparison.Difference d) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("depth", d.depth());
        m.put("arch", d.arch());
        m.put("baseline", d.baseline());
        m.put("quantity", d.quantity());
        m.put("seeds", d.seeds());
        m.put("n", d.interval().n());
        m.put("mean", number(d.interval().mean()));
        m.put("sd", number(d.interval().sd()));
        m.put("ci_low", number(d.interval().low()));
        m.put("ci_high", number(d.interval().high()));
        m.put("won", d.won());
        m.put("lost", d.lost());
        m.put("tied", d.tied());
        m.put("resolved", d.interval().resolved());
        m.put("note", note(d));
        m.put("sentence", d.sentence());
        return m;
    }

    static String note(Comparison.Difference d) {
        if (d.interval().n() == 0) {
            return "no seed with both runs complete";
        }
        if (!d.interval().hasInterval()) {
            return "one seed: no interval";
        }
        return d.interval().resolved() ? "resolved" : "not resolved";
    }

    private static Map<String, Object> group(Comparison.Group g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", g.arch());
        m.put("depth", g.depth());
        m.put("name", g.name());
        m.put("seeds", g.complete().stream().map(SeedRun::seed).toList());
        m.put("incomplete_seeds", g.incomplete().stream().map(SeedRun::seed).toList());
        m.put("n", g.complete().size());
        m.put(Comparison.BEST, stat(g.best()));
        m.put(Comparison.LAST, stat(g.last()));
        m.put("final_train_loss", stat(g.finalTrainLoss()));
        List<Object> epochs = new ArrayList<>();
        for (Comparison.EpochStat e : g.perEpoch()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("epoch", e.epoch());
            em.put("val_acc1", stat(e.valAcc1()));
            em.put("train_loss", stat(e.trainLoss()));
            epochs.add(em);
        }
        m.put("per_epoch", epochs);
        return m;
    }

    private static Map<String, Object> stat(Comparison.Stat s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("n", s.n());
        m.put("mean", number(s.mean()));
        m.put("sd", number(s.sd()));
        return m;
    }

    private static Map<String, Object> run(SeedRun r, int epochs) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", r.arch());
        m.put("depth", r.depth());
        m.put("seed", r.seed());
        m.put("folder", r.dir().toString());
        m.put("complete", r.complete());
        m.put("problem", r.problem());
        m.put("notes", r.notes());
        m.put(Comparison.BEST, number(r.bestAcc1()));
        m.put(Comparison.LAST, number(r.lastAcc1(epochs)));
        m.put("final_train_loss", number(r.finalTrainLoss(epochs)));
        m.put("val_acc1", epochRows(r.val(), 1));
        m.put("train_loss", epochRows(r.train(), 0));
        return m;
    }

    private static List<List<Object>> epochRows(Map<Integer, double[]> rows, int i) {
        return rows.entrySet().stream().map(e -> List.<Object>of(e.getKey(), e.getValue()[i])).toList();
    }

    static String tsv(Comparison c) {
        List<String> lines = new ArrayList<>(List.of(TSV_HEADER));
        for (SeedRun r : c.runs()) {
            String note = r.complete() ? String.join("; ", prepend("complete", r.notes())) : "incomplete: " + r.problem();
            if (!r.complete()) {
                lines.add(row("run", r.depth(), r.arch(), "", r.seed(), "", "", "0", "", "", "", "", "", note, r.dir()));
                continue;
            }
            lines.add(runRow(r, Comparison.BEST, r.bestAcc1(), note));
            lines.add(runRow(r, Comparison.LAST, r.lastAcc1(c.epochs()), note));
            lines.add(runRow(r, "final_train_loss", r.finalTrainLoss(c.epochs()), note));
        }
        for (Comparison.Group g : c.groups()) {
            String seeds = g.complete().stream().map(r -> String.valueOf(r.seed())).collect(Collectors.joining(","));
            String note = g.incomplete().isEmpty() ? "" : "incomplete, left out: seed " + g.incomplete().stream()
                    .map(r -> String.valueOf(r.seed())).collect(Collectors.joining(","));
            lines.add(statRow("group", g, seeds, Comparison.BEST, "", g.best(), note));
            lines.add(statRow("group", g, seeds, Comparison.LAST, "", g.last(), note));
            lines.add(statRow("group", g, seeds, "final_train_loss", "", g.finalTrainLoss(), note));
            for (Comparison.EpochStat e : g.perEpoch()) {
                lines.add(statRow("epoch", g, seeds, "val_acc1", String.valueOf(e.epoch()), e.valAcc1(), ""));
                lines.add(statRow("epoch", g, seeds, "train_loss", String.valueOf(e.epoch()), e.trainLoss(), ""));
            }
        }
        for (Comparison.Difference d : c.differences()) {
            SeedStatistics.Interval i = d.interval();
            lines.add(row("difference", d.depth(), d.arch(), d.baseline(),
                    d.seeds().stream().map(String::valueOf).collect(Collectors.joining(",")), d.quantity(), "",
                    String.valueOf(i.n()), text(i.mean()), text(i.sd()), text(i.low()), text(i.high()), String.valueOf(d.won()),
                    note(d), ""));
        }
        return String.join("\n", lines) + "\n";
    }

    private static String runRow(SeedRun r, String quantity, OptionalDouble v, String note) {
        return row("run", r.depth(), r.arch(), "", r.seed(), quantity, "", "1", text(v.orElse(Double.NaN)), "", "", "", "",
                note, r.dir());
    }

    private static String statRow(String kind, Comparison.Group g, String seeds, String quantity, String epoch,
                                  Comparison.Stat s, String note) {
        return row(kind, g.depth(), g.arch(), "", seeds, quantity, epoch, String.valueOf(s.n()), text(s.mean()), text(s.sd()),
                "", "", "", s.n() == 1 && note.isEmpty() ? "one seed: no sd" : note, "");
    }

    private static String row(String kind, int depth, String arch, String baseline, Object seed, String quantity, String epoch,
                              String n, String mean, String sd, String low, String high, String won, String note, Object folder) {
        return String.join("\t", kind, String.valueOf(depth), arch, baseline, String.valueOf(seed), quantity, epoch, n, mean, sd,
                low, high, won, note.replace('\t', ' ').replace('\n', ' '), String.valueOf(folder));
    }

    private static List<String> prepend(String first, List<String> rest) {
        List<String> all = new ArrayList<>(List.of(first));
        all.addAll(rest);
        return all;
    }

    /** Shortest text that reads back to the same double; NaN as the empty field. */
    static String text(double v) {
        return Double.isFinite(v) ? String.valueOf(v) : "";
    }

    static Object number(double v) {
        return Double.isFinite(v) ? (Object) v : null;
    }

    static Object number(OptionalDouble v) {
        return v.isPresent() ? number(v.getAsDouble()) : null;
    }
}
