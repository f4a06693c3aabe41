package org.leno.internal.report;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The numbers the page draws, as the JSON tree that is inlined into it (the
 * {@code <script type="application/json" id="leno-data">} block): per run its model, flags, summary
 * and every table, with the flags that differ between the runs.
 */
record ReportData(List<String> names, List<RunFolder> runs, List<ModelFacts> facts, List<RunSummary> summaries,
                  List<String> differingFlags) {
    static final int FORMAT = 1;
    /** Flags that differ between any two runs by construction, so they say nothing. */
    private static final Set<String> ALWAYS_DIFFERENT = Set.of("result_path");

    /** facts.get(i) is null when run i has no (valid) arch and depth in its flags. */
    static ReportData of(List<RunFolder> runs, List<ModelFacts> facts) {
        List<RunSummary> summaries = runs.stream().map(RunSummary::of).toList();
        return new ReportData(names(runs.stream().map(RunFolder::dir).toList()), runs, facts, summaries, differingFlags(runs));
    }

    /** Folder names, with the parent folder in front where two runs share a name. */
    static List<String> names(List<Path> dirs) {
        List<String> names = new ArrayList<>();
        Map<String, Integer> count = new HashMap<>();
        for (Path d : dirs) {
            count.merge(name(d.toAbsolutePath().normalize()), 1, Integer::sum);
        }
        for (Path d : dirs) {
            Path abs = d.toAbsolutePath().normalize();
            String n = name(abs);
            names.add(count.get(n) > 1 && abs.getParent() != null && abs.getParent().getFileName() != null
                    ? abs.getParent().getFileName() + "/" + n : n);
        }
        return names;
    }

    private static String name(Path abs) {
        return abs.getFileName() == null ? abs.toString() : abs.getFileName().toString();
    }

    /** Keys whose value is not the same in all runs (missing counts as a value), in first-seen order. */
    static List<String> differingFlags(List<RunFolder> runs) {
        Set<String> keys = new LinkedHashSet<>();
        runs.forEach(r -> keys.addAll(r.args().keySet()));
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String last = k.contains(".") ? k.substring(k.lastIndexOf('.') + 1) : k;
            if (ALWAYS_DIFFERENT.contains(last)) {
                continue;
            }
            if (runs.stream().map(r -> r.args().get(k)).distinct().count() > 1) {
                out.add(k);
            }
        }
        return out;
    }

    Map<String, Object> json(String title, String generated) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("title", title);
        root.put("generated", generated);
        root.put("differing_flags", differingFlags);
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            list.add(run(i));
        }
        root.put("runs", list);
        return root;
    }

    private Map<String, Object> run(int i) {
        RunFolder r = runs.get(i);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", names.get(i));
        m.put("dir", r.dir().toAbsolutePath().normalize().toString());
        m.put("model", model(facts.get(i), r));
        m.put("flags", r.args());
        m.put("summary", summary(summaries.get(i)));
        m.put("train", table(r.train()));
        m.put("val", table(r.val()));
        m.put("timing", r.timing().map(ReportData::table).orElse(null));
        m.put("gradnorm", r.tracked().map(ReportData::table).orElse(null));
        List<Object> curves = new ArrayList<>();
        for (RunFolder.CheckpointCurve c : r.checkpoints()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("label", c.label());
            cm.put("epoch", c.epoch().isPresent() ? c.epoch().getAsInt() : null);
            cm.put("csv", r.dir().toAbsolutePath().normalize().relativize(c.csv().toAbsolutePath().normalize()).toString());
            cm.putAll(table(c.table()));
            curves.add(cm);
        }
        m.put("checkpoints", curves);
        m.put("evaluations", r.evaluations().stream().map(EvaluationView::json).toList());
        return m;
    }

    private static Map<String, Object> model(ModelFacts f, RunFolder r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("arch", f == null ? r.arg("arch").orElse(null) : f.model().arch().id());
        m.put("arch_name", f == null ? null : f.model().arch().displayName());
        m.put("depth", f == null ? null : f.model().depth());
        m.put("n_classes", f == null ? null : f.model().nClasses());
        m.put("params", f == null ? null : f.params());
        m.put("macs", f == null ? null : f.macs());
        m.put("macs_size", f == null ? null : f.macsSize());
        m.put("macs_size_source", f == null ? null : f.sizeSource());
        m.put("blocks_per_stage", f == null ? null : f.blocksPerStage());
        m.put("transitions", f == null ? transitionsFromCurves(r) : f.transitions());
        return m;
    }

    private static List<Integer> transitionsFromCurves(RunFolder r) {
        if (r.checkpoints().isEmpty()) {
            return List.of();
        }
        Table t = r.checkpoints().get(0).table();
        int block = t.column("block");
        int transition = t.column("transition");
        return t.rows().stream().filter(row -> row[transition] != 0).map(row -> (int) row[block]).toList();
    }

    private static Map<String, Object> summary(RunSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("epochs", s.epochs());
        m.put("best_acc1", s.bestAcc1());
        m.put("best_acc5", s.bestAcc5());
        m.put("best_epoch", s.bestEpoch());
        m.put("last_acc1", s.lastAcc1());
        m.put("last_acc5", s.lastAcc5());
        m.put("last_epoch", s.lastEpoch());
        m.put("train_seconds", s.trainSeconds());
        m.put("val_seconds", s.valSeconds());
        m.put("wall_seconds", s.wallSeconds());
        m.put("images_per_s", s.imagesPerSecond());
        return m;
    }

    /** {"columns": [...], "rows": [[...], ...]} with non-finite numbers as null (JSON has no NaN). */
    static Map<String, Object> table(Table t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("columns", t.columns());
        m.put("rows", t.rows().stream().map(r -> Arrays.stream(r).mapToObj(ReportData::number).toList()).toList());
        return m;
    }

    /** Whole numbers as integers (epochs, blocks), others as they are; NaN and infinities as null. */
    private static Object number(double v) {
        if (!Double.isFinite(v)) {
            return null;
        }
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? (Object) (long) v : (Object) v;
    }
}
