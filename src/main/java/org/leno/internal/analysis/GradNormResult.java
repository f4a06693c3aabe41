package org.leno.internal.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.leno.internal.model.ModelConfig;

/**
 * Gradient norm ratios of one model over K batches: per block the mean input and output gradient
 * norms, their ratio, and the smallest and largest per-batch ratio.
 */
public record GradNormResult(ModelConfig model, int[] blocksPerStage, List<Integer> transitions, double[] inNorm,
                             double[] outNorm, double[] minRatio, double[] maxRatio, int batches) {

    public int blocks() { return inNorm.length; }

    public double ratio(int block) { return inNorm[block] / outNorm[block]; }

    public double[] ratios() {
        double[] r = new double[blocks()];
        for (int i = 0; i < r.length; i++) {
            r[i] = ratio(i);
        }
        return r;
    }

    /** 1-based stage of 0-based block {@code block}. */
    public int stage(int block) {
        int end = 0;
        for (int s = 0; s < blocksPerStage.length; s++) {
            end += blocksPerStage[s];
            if (block < end) {
                return s + 1;
            }
        }
        throw new IllegalArgumentException("block " + block + " is past the last stage");
    }

    public void writeCsv(Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add("block,stage,transition,in_norm,out_norm,ratio");
        for (int i = 0; i < blocks(); i++) {
            lines.add(String.format(Locale.ROOT, "%d,%d,%d,%.9g,%.9g,%.9g", i + 1, stage(i),
                    transitions.contains(i + 1) ? 1 : 0, inNorm[i], outNorm[i], ratio(i)));
        }
        Files.write(file, lines);
    }

    /** Ratio at each transition block, then the median and range of the others. */
    public String summary() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%s (%s), %d blocks, %d batch%s%n", model.name(), model.arch().displayName(),
                blocks(), batches, batches == 1 ? "" : "es"));
        for (int t : transitions) {
            b.append(String.format(Locale.ROOT, "  transition block %3d (stage %d): ratio %.4f  (batches %.4f-%.4f)%n", t,
                    stage(t - 1), ratio(t - 1), minRatio[t - 1], maxRatio[t - 1]));
        }
        double[] others = new double[blocks() - transitions.size()];
        int k = 0;
        for (int i = 0; i < blocks(); i++) {
            if (!transitions.contains(i + 1)) {
                others[k++] = ratio(i);
            }
        }
        Arrays.sort(others);
        if (others.length > 0) {
            double median = others.length % 2 == 1 ? others[others.length / 2]
                    : (others[others.length / 2 - 1] + others[others.length / 2]) / 2;
            b.append(String.format(Locale.ROOT, "  other %d blocks: median %.4f, range %.4f-%.4f%n", others.length, median,
                    others[0], others[others.length - 1]));
        }
        return b.toString();
    }
}
