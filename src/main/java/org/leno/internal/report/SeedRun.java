package org.leno.internal.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import org.leno.internal.run.RunLayout;

/**
 * One (arch, depth, seed) run of a comparison, read strictly: complete when train.log and val.log
 * read and parse to the last line and both hold the comparison's last epoch; otherwise incomplete,
 * with the reason naming the file, and left out of every statistic. A complete run may miss an
 * earlier epoch's row (said in {@link #notes}); the per-epoch statistics then count one seed fewer.
 * Each map holds, per epoch, {loss, acc1} (the last row of an epoch that a resume repeated).
 */
record SeedRun(String arch, int depth, long seed, Path dir, Map<Integer, double[]> train, Map<Integer, double[]> val,
               String problem, List<String> notes) {


    /** Why a log cannot be used; the message names the file. */
    private static final class Unusable extends Exception {
        Unusable(String message) {
            super(message);
        }
    }

    static SeedRun read(String arch, int depth, long seed, Path dir, int epochs) {
        List<String> notes = new ArrayList<>();
        if (!Files.exists(dir)) {
            return new SeedRun(arch, depth, seed, dir, Map.of(), Map.of(), dir + ": not trained yet (no folder)", List.of());
        }
        try {
            Map<Integer, double[]> train = log(new RunLayout(dir).trainLog(), epochs, notes);
            Map<Integer, double[]> val = log(new RunLayout(dir).valLog(), epochs, notes);
            return new SeedRun(arch, depth, seed, dir, train, val, null, List.copyOf(notes));
        } catch (Unusable e) {
            return new SeedRun(arch, depth, seed, dir, Map.of(), Map.of(), e.getMessage(), List.copyOf(notes));
        }
    }

    boolean complete() {
        return problem == null;
    }

    /** The highest val Acc@1 of any epoch. */
    OptionalDouble bestAcc1() {
        return val.values().stream().mapToDouble(r -> r[1]).max();
    }

    OptionalDouble lastAcc1(int epochs) {
        return val.containsKey(epochs) ? OptionalDouble.of(val.get(epochs)[1]) : OptionalDouble.empty();
    }

    OptionalDouble finalTrainLoss(int epochs) {
        return train.containsKey(epochs) ? OptionalDouble.of(train.get(epochs)[0]) : OptionalDouble.empty();
    }

    /** epoch -> {loss, acc1}; every line must parse, and the last epoch must be there. */
    private static Map<Integer, double[]> log(Path file, int epochs, List<String> notes) throws Unusable {
        if (!Files.exists(file)) {
            throw new Unusable(file + ": missing");
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new Unusable(file + ": cannot read (" + e + ")");
        }
        if (lines.isEmpty()) {
            throw new Unusable(file + ": empty");
        }
        List<String> header = List.of(lines.get(0).strip().split("\t"));
        int e = header.indexOf("epoch");
        int loss = header.indexOf("loss");
        int acc1 = header.indexOf("acc1");
        if (e < 0 || loss < 0 || acc1 < 0) {
            throw new Unusable(file + ": expected the columns epoch, loss, acc1 in its header, found " + String.join(", ", header));
        }
        Map<Integer, double[]> rows = new TreeMap<>();
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            String[] f = lines.get(i).strip().split("\t");
            try {
                if (f.length != header.size()) {
                    throw new NumberFormatException();
                }
                rows.put(Integer.parseInt(f[e]), new double[] {Double.parseDouble(f[loss]), Double.parseDouble(f[acc1])});
            } catch (NumberFormatException bad) {
                throw new Unusable(file + " line " + (i + 1) + ": truncated or not numbers (" + lines.get(i).strip() + ")");
            }
        }
        if (!rows.containsKey(epochs)) {
            int last = rows.isEmpty() ? 0 : ((TreeMap<Integer, double[]>) rows).lastKey();
            throw new Unusable(file + ": stops at epoch " + last + " of " + epochs);
        }
        for (int k = 1; k < epochs; k++) {
            if (!rows.containsKey(k)) {
                notes.add(file.getFileName() + " has no row for epoch " + k);
            }
        }
        return rows;
    }
}
