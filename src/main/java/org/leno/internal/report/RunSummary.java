package org.leno.internal.report;

import java.util.List;

/**
 * The numbers of a run's column in the summary table. A null field is not available (no val.log
 * rows, no timing.tsv). Best is the epoch of the highest val Acc@1 (the model_best checkpoint), with
 * its Acc@5; wall time is training plus validation over all epochs in timing.tsv; images/s is
 * training images over training seconds.
 */
record RunSummary(int epochs, Double bestAcc1, Double bestAcc5, Integer bestEpoch, Double lastAcc1, Double lastAcc5,
                  Integer lastEpoch, Double trainSeconds, Double valSeconds, Double imagesPerSecond) {

    static RunSummary of(RunFolder run) {
        int epochs = (int) Math.max(max(run.train(), "epoch"), max(run.val(), "epoch"));
        Double bestAcc1 = null;
        Double bestAcc5 = null;
        Integer bestEpoch = null;
        Double lastAcc1 = null;
        Double lastAcc5 = null;
        Integer lastEpoch = null;
        int e = run.val().column("epoch");
        int a1 = run.val().column("acc1");
        int a5 = run.val().column("acc5");
        for (double[] r : run.val().rows()) {
            if (bestAcc1 == null || r[a1] > bestAcc1) {
                bestAcc1 = r[a1];
                bestAcc5 = r[a5];
                bestEpoch = (int) r[e];
            }
            lastAcc1 = r[a1];
            lastAcc5 = r[a5];
            lastEpoch = (int) r[e];
        }
        if (run.timing().isEmpty() || run.timing().get().rows().isEmpty()) {
            return new RunSummary(epochs, bestAcc1, bestAcc5, bestEpoch, lastAcc1, lastAcc5, lastEpoch, null, null, null);
        }
        Table t = run.timing().get();
        double train = sum(t.rows(), t.column("train_seconds"), -1);
        double images = sum(t.rows(), t.column("train_seconds"), t.column("train_images_per_s"));
        double val = sum(t.rows(), t.column("val_seconds"), -1);
        return new RunSummary(epochs, bestAcc1, bestAcc5, bestEpoch, lastAcc1, lastAcc5, lastEpoch, train, val,
                train > 0 ? images / train : null);
    }

    Double wallSeconds() {
        return trainSeconds == null ? null : trainSeconds + valSeconds;
    }

    private static double max(Table t, String column) {
        int c = t.column(column);
        return t.rows().stream().mapToDouble(r -> r[c]).max().orElse(0);
    }

    /** Sum of column a, or of a times b when b is a column. */
    private static double sum(List<double[]> rows, int a, int b) {
        return rows.stream().mapToDouble(r -> b < 0 ? r[a] : r[a] * r[b]).sum();
    }
}
