package org.leno.train;

import java.nio.file.Path;
import org.leno.model.ModelConfig;

/** Everything a training or evaluation run is told, after defaults are filled in. */
public record TrainConfig(
        ModelConfig model,
        String data,
        boolean dummy,
        Path resultPath,
        int workers,
        int epochs,
        int startEpoch,
        int batchSize,
        double lr,
        double momentum,
        double weightDecay,
        int printFreq,
        Path resume,
        boolean evaluate,
        long seed,
        int threads,
        int gpu,
        int[] lrSteps,
        double lrReduceFactor,
        boolean lrScheduleCompat,
        boolean nesterov,
        int trainCropSize,
        double cropScaleMin,
        double cropScaleMax,
        int valResize,
        int valCropSize,
        boolean strictData,
        String amp,
        boolean channelsLast,
        boolean progressBar,
        int trainSamples,
        int valSamples,
        int trackGradnorm,
        org.leno.distributed.DistConfig dist,
        org.leno.distributed.GradientSync.Mode ddp) {

    public TrainConfig {
        lrSteps = lrSteps.clone();
        if (epochs < 1 && !evaluate) {
            throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        }
        if (lr <= 0) {
            throw new IllegalArgumentException("--lr must be positive, got " + lr);
        }
        if (printFreq < 1) {
            throw new IllegalArgumentException("--print-freq must be at least 1, got " + printFreq);
        }
        if (!amp.equals("none") && !amp.equals("bf16")) {
            throw new IllegalArgumentException("--amp must be none or bf16, got " + amp);
        }
        if (gpu >= 0 && dist != null) {
            throw new IllegalArgumentException("--gpu " + gpu + " with distributed training: not supported (multi-GPU needs"
                    + " one device per rank and the nccl backend); use one process per machine on the CPU");
        }
        if (evaluate && resume == null) {
            throw new IllegalArgumentException("--evaluate needs --resume CHECKPOINT");
        }
    }

    @Override
    public int[] lrSteps() { return lrSteps.clone(); }

    public boolean distributed() { return dist != null; }

    /** Rank 0 (or the only process) writes args.json, logs and checkpoints. */
    public boolean writesFiles() { return dist == null || dist.rank() == 0; }

    public LrSchedule schedule() {
        return new LrSchedule(lr, lrSteps, lrReduceFactor, lrScheduleCompat);
    }
}
