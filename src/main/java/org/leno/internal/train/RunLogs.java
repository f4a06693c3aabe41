package org.leno.internal.train;

import org.leno.internal.analysis.BlockGradients;

/**
 * The run's result files besides checkpoints, as a listener: args.json (resume_args.json on resume),
 * train.log, val.log, val_ema.log, timing.tsv, grad_norm.tsv and gradnorm.tsv. Only rank 0 (or the
 * only process) writes them; elsewhere every method does nothing.
 */
final class RunLogs implements TrainingListener {
    private final ResultFiles files;
    private final boolean writes;
    private final int printFreq;

    /** {@code printFreq}: grad_norm.tsv gets every {@code printFreq}-th update of an epoch. */
    RunLogs(ResultFiles files, boolean writes, int printFreq) {
        this.files = files;
        this.writes = writes;
        this.printFreq = printFreq;
    }

    /**
     * args.json (or one more line of resume_args.json); on resume, drops the rows written after the
     * checkpoint, which the resumed run writes again.
     */
    @Override
    public void onStart(StartEvent start, Control run) {
        if (!writes) {
            return;
        }
        files.writeArgs(start.args(), start.resumed());
        if (start.resumed()) {
            files.trimTo(start.epoch(), start.updates(), start.iterationsDone());
        }
    }

    /** train.log's line, written as soon as the epoch's training is done (before its validation). */
    @Override
    public void onTrainingEpoch(TrainedEvent e, Control run) {
        if (writes) {
            files.logTrain(e.epoch() + 1, e.train().loss(), e.train().acc1(), e.train().acc5(), e.lr());
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

    /** grad_norm.tsv: the global gradient norm before clipping, at every --print-freq-th update of an epoch. */
    @Override
    public void onUpdate(UpdateEvent u, Control run) {
        if (writes && !Double.isNaN(u.gradNorm()) && u.updateInEpoch() % printFreq == 0) {
            files.logClipNorm(u.updates(), u.epoch(), u.batch(), u.gradNorm());
        }
    }

    /** gradnorm.tsv: each block's gradient norm ratio at an iteration, from the block boundaries' norms. */
    @Override
    public void onGradientNorms(GradientNormEvent g, Control run) {
        if (writes) {
            files.logGradNorm(g.iteration(), g.epoch(), BlockGradients.ratios(g.boundaryNorms()));
        }
    }
}
