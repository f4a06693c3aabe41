package org.leno.internal.report;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.leno.internal.interop.AtomicFiles;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;

/**
 * {@code leno report}: one self-contained HTML page for one training run or several (a summary
 * table, curves over epochs, gradient norm ratios per block and their evolution), with ECharts and
 * the data inlined so that it works offline from file:// and makes no network request.
 *
 * <p>For a trainer that rewrites the page after every epoch: keep one instance and call
 * {@link #rewrite}; each model is built once per instance to count its parameters and MACs (this
 * draws an initialisation from libtorch's global generator). Errors are
 * {@link IllegalArgumentException} (a run folder or file that cannot be read) or
 * {@link org.leno.internal.interop.InterchangeException} (the page cannot be written), each with a one-line message.
 */
public final class Report {
    private record ModelKey(ModelConfig model, int size, String sizeSource) {}

    private final Map<ModelKey, ModelFacts> facts = new HashMap<>();

    /** Writes the page for {@code runs} (result folders of leno train) to {@code out}, atomically. */
    public static void write(List<Path> runs, Path out) {
        new Report().rewrite(runs, out);
    }

    /** As {@link #write}, reusing the parameter and MAC counts of earlier calls. */
    public void rewrite(List<Path> runs, Path out) {
        byte[] page = html(runs).getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(out, o -> o.write(page));
    }

    /** The page's text. */
    public String html(List<Path> runs) {
        return ReportPage.html(data(runs), Instant.now().truncatedTo(ChronoUnit.SECONDS));
    }

    ReportData data(List<Path> runs) {
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("no run folder given");
        }
        List<RunFolder> folders = runs.stream().map(RunFolder::read).toList();
        return ReportData.of(folders, folders.stream().map(this::facts).toList());
    }

    /** Null when the run's flags name no known arch and depth. */
    private ModelFacts facts(RunFolder run) {
        Optional<Arch> arch = run.arg("arch").flatMap(Arch::byId);
        Optional<Integer> depth = run.arg("model_depth").flatMap(Report::integer);
        if (arch.isEmpty() || depth.isEmpty() || !ModelRegistry.depths(arch.get()).contains(depth.get())) {
            return null;
        }
        int classes = run.arg("n_classes").flatMap(Report::integer).filter(n -> n > 0).orElse(1000);
        Optional<Integer> crop = run.arg("train_crop_size").flatMap(Report::integer).filter(n -> n > 0);
        ModelKey key = new ModelKey(ModelConfig.of(arch.get(), depth.get(), classes), crop.orElse(ModelFacts.DEFAULT_SIZE),
                crop.isPresent() ? "train crop" : "no train_crop_size in args.json");
        return facts.computeIfAbsent(key, k -> ModelFacts.measure(k.model(), k.size(), k.sizeSource()));
    }

    private static Optional<Integer> integer(String s) {
        try {
            return Optional.of(Integer.parseInt(s.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
