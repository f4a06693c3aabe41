package org.leno.api;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TODO(#23): interim bridge. The trainer has no listener hook yet (train.TrainingListener is being
 * written); until it has, the metrics are read from the lines it prints (step lines every
 * --print-freq batches, the " * Acc@1" line after each validation) and from its train.log. Replace
 * this class by a train.TrainingListener adapter once Trainer calls one.
 */
final class ProgressLines extends OutputStream {
    private static final Pattern STEP = Pattern.compile("^Epoch: \\[(\\d+)\\]\\[\\s*(\\d+)/(\\d+)\\]\\t.*"
            + "Loss (\\S+) \\(\\s*(\\S+)\\)\\tAcc@1\\s+(\\S+) \\(\\s*(\\S+)\\)");
    private static final Pattern VALIDATION = Pattern.compile("^ \\* Acc@1 (\\S+) Acc@5 (\\S+)$");

    /** What a callback asks for; returning false requests the stop. */
    interface Sink {
        boolean step(TrainingListener.StepMetrics m);

        boolean epoch(TrainingListener.EpochMetrics m);
    }

    private final OutputStream out;
    private final Path trainLog;
    private final Sink sink;
    private final Runnable stop;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int epochsSeen;

    ProgressLines(OutputStream out, Path trainLog, Sink sink, Runnable stop) {
        this.out = out;
        this.trainLog = trainLog;
        this.sink = sink;
        this.stop = stop;
    }

    @Override
    public void write(int b) throws IOException {
        out.write(b);
        if (b == '\n') {
            String text = line.toString(StandardCharsets.UTF_8);
            line.reset();
            if (!parse(text)) {
                stop.run();
            }
        } else {
            line.write(b);
        }
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    private boolean parse(String text) {
        Matcher m = STEP.matcher(text);
        if (m.find()) {
            return sink.step(new TrainingListener.StepMetrics(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                    Integer.parseInt(m.group(3)), number(m.group(4)), number(m.group(6)), number(m.group(5)),
                    number(m.group(7))));
        }
        m = VALIDATION.matcher(text);
        if (m.find()) {
            epochsSeen++;
            double[] train = lastTrainLine();
            int epoch = Double.isNaN(train[0]) ? epochsSeen : (int) train[0];
            return sink.epoch(new TrainingListener.EpochMetrics(epoch, train[1], train[2], number(m.group(1)),
                    number(m.group(2))));
        }
        return true;
    }

    /** epoch, loss and acc1 of train.log's last line; NaN when there is none. */
    private double[] lastTrainLine() {
        try {
            List<String> lines = Files.exists(trainLog) ? Files.readAllLines(trainLog) : List.of();
            if (lines.size() > 1) {
                String[] f = lines.get(lines.size() - 1).split("\t");
                return new double[] {number(f[0]), number(f[1]), number(f[2])};
            }
        } catch (IOException | RuntimeException e) {
            // fall through: no training numbers
        }
        return new double[] {Double.NaN, Double.NaN, Double.NaN};
    }

    private static double number(String s) {
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }
}
