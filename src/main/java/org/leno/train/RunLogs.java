package org.leno.train;

import java.util.Map;
import org.leno.analysis.BlockGradients;

/**
 * The run's result files besides checkpoints: args.json (resume_args.json on resume), train.log,
 * val.log, val_ema.log, timing.tsv, grad_norm.tsv and gradnorm.tsv. Only rank 0 (or the only
 * process) writes them; elsewhere every method does nothing.
 */
final class RunLogs implements TrainingListener {
    private final ResultFiles files;
    private final boolean writes;

    RunLogs(ResultFiles files, boolean writes) {
        this.files = files;
        this.writes = writes;
    }

    /**
     * args.json (or one more line of resume_args.json); on resume, drops the rows written after the
     * checkpoint, which the resumed run writes again.
     */
    void begin(Map<String, Object> args, RunParts.Start start, int batchesPerEpoch) {
        if (!writes) {
            return;
        }
        files.writeArgs(args, start.resumed());
        if (start.resumed()) {
            int epoch = start.epoch();
            files.trimTo(epoch, start.updates(),
                    (long) epoch * batchesPerEpoch + start.mid().map(Checkpoint.MidEpoch::batchesDone).orElse(0));
        }
    }

    /** train.log's line, written as soon as the epoch's training is done (before its validation). */
    void trained(int epochsDone, TrainingListener.Metrics m, double lr) {
        if (writes) {
            files.logTrain(epochsDone, m.loss(), m.acc1(), m.acc5(), lr);
        }
    }

    /** val.log, val_ema.log and timing.tsv. */
    @Override
    public void onEpoch(EpochEvent e, Control run) {
        if (!writes) {
            return;
        }
        int epochsDone = e.epoch() + 1;
        files.logVal(epochsDone, e.val().loss(), e.val().acc1(), e.val().acc5());
        e.valEma().ifPresent(m -> files.logValEma(epochsDone, m.loss(), m.acc1(), m.acc5()));
        files.logTiming(epochsDone, e.trainSeconds(), e.valSeconds(), e.trainImagesPerSecond());
    }

    /** grad_norm.tsv: the global gradient norm before clipping, at an update. */
    void clipNorm(long update, int epoch, int batch, double norm) {
        if (writes) {
            files.logClipNorm(update, epoch, batch, norm);
        }
    }

    /** gradnorm.tsv: each block's gradient norm ratio at an iteration, from the block boundaries' norms. */
    void gradNorms(long iteration, int epoch, double[] boundaryNorms) {
        if (writes) {
            files.logGradNorm(iteration, epoch, BlockGradients.ratios(boundaryNorms));
        }
    }
}
