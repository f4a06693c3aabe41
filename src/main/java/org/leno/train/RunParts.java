package org.leno.train;

import java.util.Optional;
import org.leno.data.BatchMix;
import org.leno.data.DataLoader;
import org.leno.distributed.RankGroup;
import org.leno.model.ResidualNetwork;
import org.leno.nn.ComputeDevice;

/**
 * What a run is made of, as {@link RunBuilder} builds it from the configuration: the device, the
 * network, its optimizer, weight average and loss scaler, the loaders, the schedule, the training
 * step, batch mixing, and where the run starts. Closing it frees the loaders, the average and the network.
 */
final class RunParts implements AutoCloseable {
    private final long seed;
    private final RankGroup group;
    private final ComputeDevice device;
    private final ResidualNetwork net;
    private final Optimizer optimizer;
    private final ModelEma ema;
    private final GradScaler scaler;
    private final DataLoader valLoader;
    private final DataLoader trainLoader;
    private final LrSchedule schedule;
    private final TrainStep step;
    private final Optional<BatchMix> mix;
    private final CheckpointSaver.ResumePoint start;

    RunParts(RunBuilder b) {
        this.seed = b.seed;
        this.group = b.group;
        this.device = b.device;
        this.net = b.net;
        this.optimizer = b.optimizer;
        this.ema = b.ema;
        this.scaler = b.scaler;
        this.valLoader = b.valLoader;
        this.trainLoader = b.trainLoader;
        this.schedule = b.schedule;
        this.step = b.step;
        this.mix = b.mix;
        this.start = b.start;
    }

    /** The seed every rank uses (rank 0's when they were started with different ones). */
    long seed() { return seed; }

    /** The distributed group, or null when training alone. */
    RankGroup group() { return group; }

    int rank() { return group == null ? 0 : group.rank(); }

    int world() { return group == null ? 1 : group.worldSize(); }

    ComputeDevice device() { return device; }

    ResidualNetwork net() { return net; }

    Optimizer optimizer() { return optimizer; }

    /** --model-ema's average, or null. */
    ModelEma ema() { return ema; }

    /** --amp fp16's loss scaler, or null. */
    GradScaler scaler() { return scaler; }

    DataLoader valLoader() { return valLoader; }

    /** Null when evaluating. */
    DataLoader trainLoader() { return trainLoader; }

    LrSchedule schedule() { return schedule; }

    TrainStep step() { return step; }

    /** Mixup/CutMix, when on. */
    Optional<BatchMix> mix() { return mix; }

    CheckpointSaver.ResumePoint start() { return start; }

    @Override
    public void close() {
        if (trainLoader != null) {
            trainLoader.close();
        }
        valLoader.close();
        if (ema != null) {
            ema.close();
        }
        net.close();
    }
}
