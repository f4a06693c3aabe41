package org.leno.internal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.leno.internal.analysis.Charts;
import org.leno.internal.run.RunLayout;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "plot", description = {"Render RESULT_PATH/curves.png (loss and Acc@1 per epoch from train.log and val.log, one panel each)",
        "and, when gradnorm.tsv exists (train --track-gradnorm), gradnorm_evolution.png."})
final class PlotCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RESULT_PATH", description = "A --result_path of leno train.")
    Path dir;

    @Override
    public Integer call() throws Exception {
        Path trainLog = new RunLayout(dir).trainLog();
        Path valLog = new RunLayout(dir).valLog();
        if (!Files.isRegularFile(trainLog) && !Files.isRegularFile(valLog)) {
            throw new IllegalArgumentException(dir + ": no train.log or val.log (not a leno train --result_path?)");
        }
        double[][] train = columns(trainLog, 4);
        double[][] val = columns(valLog, 4);
        Charts.saveStacked(Charts.curves(train[0], train[1], val[1], train[2], val[2], val[0]).panels(), dir.resolve("curves.png"));
        System.out.println("wrote " + dir.resolve("curves.png"));
        Path gradnorm = new RunLayout(dir).gradnorm();
        if (Files.isRegularFile(gradnorm)) {
            TreeMap<Integer, TreeMap<Integer, Double>> byIteration = new TreeMap<>();
            for (String line : lines(gradnorm)) {
                String[] f = line.split("\t");
                byIteration.computeIfAbsent(Integer.parseInt(f[0]), k -> new TreeMap<>())
                        .put(Integer.parseInt(f[2]), Double.parseDouble(f[3]));
            }
            int blocks = byIteration.firstEntry().getValue().size();
            int[] iterations = byIteration.keySet().stream().mapToInt(Integer::intValue).toArray();
            double[][] log10 = new double[iterations.length][blocks];
            for (int r = 0; r < iterations.length; r++) {
                TreeMap<Integer, Double> row = byIteration.get(iterations[r]);
                for (int b = 0; b < blocks; b++) {
                    log10[r][b] = Math.log10(row.getOrDefault(b + 1, 1.0));
                }
            }
            Charts.save(Charts.evolution(iterations, blocks, log10), dir.resolve("gradnorm_evolution"), false);
            System.out.println("wrote " + dir.resolve("gradnorm_evolution.png"));
        }
        return 0;
    }

    /** epoch, loss, acc1 columns of a log (absent file: empty). */
    private static double[][] columns(Path log, int minFields) throws IOException {
        List<double[]> rows = new ArrayList<>();
        if (Files.isRegularFile(log)) {
            for (String line : lines(log)) {
                String[] f = line.split("\t");
                if (f.length >= minFields) {
                    rows.add(new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])});
                }
            }
        }
        double[][] out = new double[3][rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            for (int c = 0; c < 3; c++) {
                out[c][i] = rows.get(i)[c];
            }
        }
        return out;
    }

    private static List<String> lines(Path file) throws IOException {
        List<String> all = Files.readAllLines(file);
        return all.isEmpty() ? all : all.subList(1, all.size());
    }
}
