package org.leno.internal.analysis;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The gradient norm ratios of one checkpoint among several ({@code leno gradnorm --weights A B ...}):
 * a label that names the file, the epoch stored in it (absent for a plain state dict) and the result.
 */
public record CheckpointRatios(String label, OptionalInt epoch, Path file, GradNormResult result) {
    /** Index of a multi-checkpoint run, {@code <arch><depth>_checkpoints.tsv}, rows in epoch order. */
    public static final String INDEX_SUFFIX = "_checkpoints.tsv";
    public static final String INDEX_HEADER = "label\tepoch\tfile\tcsv";

    /** {@code <arch><depth>_<label>.csv}. */
    public String csvName() { return result.model().name() + "_" + label + ".csv"; }

    /** The label, with the epoch when the file stores one. */
    public String legend() {
        return epoch.isPresent() && !label.contains("epoch" + epoch.getAsInt()) ? label + " (epoch " + epoch.getAsInt() + ")"
                : label;
    }

    /**
     * One label per file: the file name without its weight-file extension, made of letters, digits,
     * '.', '_' and '-'. Files with the same name get their folder's name in front, then a number.
     */
    public static List<String> labels(List<Path> files) {
        List<String> labels = new ArrayList<>();
        for (Path f : files) {
            labels.add(sanitize(stem(f)));
        }
        if (hasDuplicates(labels)) {
            for (int i = 0; i < files.size(); i++) {
                Path parent = files.get(i).toAbsolutePath().getParent();
                if (parent != null && parent.getFileName() != null) {
                    labels.set(i, sanitize(parent.getFileName() + "_" + stem(files.get(i))));
                }
            }
        }
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < labels.size(); i++) {
            int n = seen.merge(labels.get(i), 1, Integer::sum);
            if (n > 1) {
                labels.set(i, labels.get(i) + "_" + n);
            }
        }
        return labels;
    }

    /** Ascending epoch; files without an epoch (plain state dicts) first; ties keep the given order. */
    public static List<CheckpointRatios> inEpochOrder(List<CheckpointRatios> all) {
        List<CheckpointRatios> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingInt(c -> c.epoch().orElse(-1)));
        return sorted;
    }

    /** Writes the index: one row per checkpoint, in the order given. */
    public static void writeIndex(List<CheckpointRatios> inOrder, Path file) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(INDEX_HEADER);
        for (CheckpointRatios c : inOrder) {
            lines.add(c.label() + "\t" + (c.epoch().isPresent() ? String.valueOf(c.epoch().getAsInt()) : "") + "\t"
                    + c.file().toString().replace('\t', ' ') + "\t" + c.csvName());
        }
        Files.write(file, lines);
    }

    private static String stem(Path file) {
        String name = file.getFileName().toString();
        for (String ext : new String[] {".pth.tar", ".pth", ".pt", ".tar", ".safetensors", ".bin"}) {
            if (name.endsWith(ext) && name.length() > ext.length()) {
                return name.substring(0, name.length() - ext.length());
            }
        }
        return name;
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static boolean hasDuplicates(List<String> labels) {
        return labels.stream().distinct().count() < labels.size();
    }
}
