package org.leno.internal.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Stream;
import org.leno.internal.analysis.CheckpointRatios;
import org.leno.internal.evaluate.SavedEvaluation;
import org.leno.internal.run.RunLayout;

/**
 * What one {@code leno train --result_path} folder holds, as the report needs it: the flags in force
 * (args.json, then each line of resume_args.json over it), the logs, timing.tsv, the tracked ratios
 * (gradnorm.tsv), the ratio curves that {@code leno gradnorm} wrote into RUN/gradnorm or RUN, and the
 * evaluations that {@code leno validate} wrote into RUN/eval-*.
 */
record RunFolder(Path dir, Map<String, String> args, Table train, Table val, Optional<Table> timing,
                 Optional<Table> tracked, List<CheckpointCurve> checkpoints, List<SavedEvaluation> evaluations) {

    static final List<String> CURVE_COLUMNS = List.of("block", "stage", "transition", "in_norm", "out_norm", "ratio");

    /** One ratio curve of {@code leno gradnorm}: its label, the checkpoint's epoch when known, the CSV. */
    record CheckpointCurve(String label, OptionalInt epoch, Path csv, Table table) {}

    static RunFolder read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException(dir + ": no such folder");
        }
        RunLayout layout = new RunLayout(dir);
        Optional<Table> train = Table.read(layout.trainLog(), "\t");
        Optional<Table> val = Table.read(layout.valLog(), "\t");
        if (train.isEmpty() && val.isEmpty()) {
            throw new IllegalArgumentException(dir + ": no train.log or val.log (not a leno train --result_path?)");
        }
        Table emptyTrain = new Table(List.of("epoch", "loss", "acc1", "acc5", "lr"), List.of());
        Table emptyVal = new Table(List.of("epoch", "loss", "acc1", "acc5"), List.of());
        return new RunFolder(dir, args(dir),
                checked(train.orElse(emptyTrain), layout.trainLog(), "epoch", "loss", "acc1", "acc5", "lr").lastPerKey("epoch"),
                checked(val.orElse(emptyVal), layout.valLog(), "epoch", "loss", "acc1", "acc5").lastPerKey("epoch"),
                Table.read(layout.timing(), "\t").map(t -> checked(t, layout.timing(), "epoch", "train_seconds",
                        "val_seconds", "train_images_per_s").lastPerKey("epoch")),
                Table.read(layout.gradnorm(), "\t").map(t -> checked(t, layout.gradnorm(), "iteration", "epoch",
                        "block", "ratio").lastPerKey("iteration", "block")),
                checkpoints(dir), SavedEvaluation.inRun(dir));
    }

    private static Table checked(Table t, Path file, String... columns) {
        if (!t.has(columns)) {
            throw new IllegalArgumentException(file + ": expected columns " + String.join(", ", columns) + ", found "
                    + String.join(", ", t.columns()));
        }
        return t;
    }

    /** args.json with every line of resume_args.json laid over it, flattened to "key" or "outer.key" -> JSON text. */
    static Map<String, String> args(Path dir) {
        Map<String, String> flat = new LinkedHashMap<>();
        ObjectMapper json = new ObjectMapper();
        Path args = new RunLayout(dir).args();
        Path resumes = new RunLayout(dir).resumeArgs();
        try {
            if (Files.isRegularFile(args)) {
                flatten("", json.readTree(args.toFile()), flat);
            }
            if (Files.isRegularFile(resumes)) {
                for (String line : Files.readAllLines(resumes, StandardCharsets.UTF_8)) {
                    if (!line.isBlank()) {
                        flatten("", json.readTree(line), flat);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException((Files.isRegularFile(resumes) ? args + " or " + resumes : args)
                    + ": not JSON (" + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        return flat;
    }

    static void flatten(String prefix, JsonNode node, Map<String, String> out) {
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), out);
            }
        } else {
            out.put(prefix, node.isTextual() ? node.asText() : node.toString());
        }
    }

    /** The value of a flag, also when a configuration nests it ("model.arch" for "arch"). */
    Optional<String> arg(String key) {
        if (args.containsKey(key)) {
            return Optional.of(args.get(key));
        }
        return args.entrySet().stream().filter(e -> e.getKey().endsWith("." + key)).map(Map.Entry::getValue).findFirst();
    }

    /**
     * The curves of RUN/gradnorm and RUN: first those an index ({@code *_checkpoints.tsv}) lists, in its
     * (epoch) order, then any other CSV with the gradnorm columns, by name.
     */
    static List<CheckpointCurve> checkpoints(Path dir) {
        List<CheckpointCurve> out = new ArrayList<>();
        for (Path folder : List.of(new RunLayout(dir).gradnormDir(), dir)) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            Set<Path> listed = new HashSet<>();
            for (Path index : files(folder, CheckpointRatios.INDEX_SUFFIX)) {
                for (String[] row : indexRows(index)) {
                    Path csv = folder.resolve(row[3]);
                    listed.add(csv.normalize());
                    curve(csv, row[0], row[1].isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(row[1])))
                            .ifPresent(out::add);
                }
            }
            for (Path csv : files(folder, ".csv")) {
                if (!listed.contains(csv.normalize())) {
                    String name = csv.getFileName().toString();
                    curve(csv, name.substring(0, name.length() - 4), OptionalInt.empty()).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    private static Optional<CheckpointCurve> curve(Path csv, String label, OptionalInt epoch) {
        return Table.read(csv, ",").filter(t -> t.columns().equals(CURVE_COLUMNS))
                .map(t -> new CheckpointCurve(label, epoch, csv, t));
    }

    private static List<String[]> indexRows(Path index) {
        try {
            List<String> lines = Files.readAllLines(index, StandardCharsets.UTF_8);
            if (lines.isEmpty() || !lines.get(0).equals(CheckpointRatios.INDEX_HEADER)) {
                throw new IllegalArgumentException(index + ": expected the header " + CheckpointRatios.INDEX_HEADER.replace('\t', ' '));
            }
            List<String[]> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] f = line.split("\t", -1);
                if (f.length == 4 && (f[1].isEmpty() || f[1].matches("-?\\d+"))) {
                    rows.add(f);
                }
            }
            return rows;
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + index + ": " + e.getMessage());
        }
    }

    private static List<Path> files(Path folder, String suffix) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(p -> p.getFileName().toString().endsWith(suffix) && Files.isRegularFile(p)).sorted().toList();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot list " + folder + ": " + e.getMessage());
        }
    }
}
