package org.leno.internal.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.leno.internal.interop.AtomicFiles;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.run.RunLayout;

/**
 * {@code leno compare}'s outputs: DIR/summary.tsv, DIR/summary.json and DIR/report.html of the
 * planned runs as their folders are now (a run not trained yet is incomplete). Keep one instance
 * for a comparison: each model is built once to count its parameters.
 */
public final class ComparisonReport {
    public static final String PAGE = RunLayout.REPORT;

    /** One run of the comparison: where `leno train` writes it. */
    public record Planned(String arch, int depth, long seed, Path dir) {}

    private final String baseline;
    private final int epochs;
    private final List<Planned> planned;
    private final Map<String, ModelFacts> facts = new HashMap<>();

    public ComparisonReport(String baseline, int epochs, List<Planned> planned) {
        this.baseline = baseline;
        this.epochs = epochs;
        this.planned = List.copyOf(planned);
    }

    /**
     * Reads every planned run and writes the three files into {@code dir}; returns what to print: each
     * incomplete run with its reason, then one sentence per depth and architecture.
     */
    public List<String> write(Path dir) {
        List<SeedRun> runs = planned.stream().map(p -> SeedRun.read(p.arch(), p.depth(), p.seed(), p.dir(), epochs)).toList();
        Comparison c = Comparison.of(runs, baseline, epochs);
        ComparisonFiles.write(c, dir);
        List<ModelFacts> models = c.groups().stream().map(g -> facts(g, runs)).toList();
        String title = "LeNo comparison: " + dir.toAbsolutePath().normalize().getFileName();
        byte[] page = ComparisonPage.html(c, models, title, Instant.now().truncatedTo(ChronoUnit.SECONDS))
                .getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(dir.resolve(PAGE), o -> o.write(page));
        List<String> lines = new ArrayList<>();
        runs.stream().filter(r -> !r.complete()).forEach(r -> lines.add("=> incomplete, left out: " + r.problem()));
        if (c.groups().stream().noneMatch(g -> g.arch().equals(baseline))) {
            lines.add("=> no differences: the baseline " + baseline + " is not among the architectures (--baseline)");
        }
        c.sentences().forEach(s -> lines.add("=> " + s));
        return lines;
    }

    /**
     * The group's model, with the classes and crop of its first run that has an args.json; null (and
     * asked again next time) while none has.
     */
    private ModelFacts facts(Comparison.Group g, List<SeedRun> runs) {
        return facts.computeIfAbsent(g.arch() + g.depth(), k -> {
            Optional<SeedRun> first = runs.stream().filter(r -> r.arch().equals(g.arch()) && r.depth() == g.depth())
                    .filter(r -> Files.isRegularFile(new RunLayout(r.dir()).args())).findFirst();
            Optional<Arch> arch = Arch.byId(g.arch());
            if (first.isEmpty() || arch.isEmpty()) {
                return null;
            }
            Map<String, String> args = RunFolder.args(first.get().dir());
            int classes = integer(args.get("n_classes"), 1000);
            int crop = integer(args.get("train_crop_size"), ModelFacts.DEFAULT_SIZE);
            return ModelFacts.measure(ModelConfig.of(arch.get(), g.depth(), classes), crop,
                    args.containsKey("train_crop_size") ? "train crop" : "no train_crop_size in args.json");
        });
    }

    private static int integer(String s, int otherwise) {
        try {
            return s == null ? otherwise : Integer.parseInt(s.strip());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }

    /**
     * The keys of {@code expected} (the args.json that `leno train` would write for a run) whose value
     * differs from the run folder's (args.json with resume_args.json laid over it), each as
     * "key (folder: value, now: value)", leaving out {@code ignored}; empty when the folder has no args.json.
     */
    public static List<String> differingFlags(Map<String, Object> expected, Path run, Set<String> ignored) {
        if (!Files.isRegularFile(new RunLayout(run).args())) {
            return List.of();
        }
        Map<String, String> there = RunFolder.args(run);
        Map<String, String> here = new LinkedHashMap<>();
        RunFolder.flatten("", new ObjectMapper().valueToTree(expected), here);
        Set<String> keys = new TreeSet<>(here.keySet());
        keys.addAll(there.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String last = k.contains(".") ? k.substring(k.lastIndexOf('.') + 1) : k;
            if (!ignored.contains(last) && !String.valueOf(here.get(k)).equals(String.valueOf(there.get(k)))) {
                out.add(k + " (folder: " + (there.containsKey(k) ? there.get(k) : "not set") + ", now: "
                        + (here.containsKey(k) ? here.get(k) : "not set") + ")");
            }
        }
        return out;
    }
}
