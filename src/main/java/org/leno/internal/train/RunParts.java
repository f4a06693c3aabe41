package org.leno.internal.train;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.leno.internal.data.augment.BatchMix;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.distributed.RankGroup;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.ComputeDevice;

/**
 * What a run is made of, as {@link RunBuilder} builds it from the configuration: the model and what
 * updates it, the loaders, the schedule, the training step, and where the run starts. Closing it frees
 * the loaders, the average and the network.
 *
 * @param seed the seed every rank uses (rank 0's when they were started with different ones)
 * @param group the distributed group, or null when training alone
 */
record RunParts(long seed, RankGroup group, Model model, Loaders loaders, LrSchedule schedule, TrainStep step, Start start,
                Map<String, Object> modelCard)
        implements AutoCloseable {

    /** The device, the network on it, its optimizer, --model-ema's average (or null) and --amp fp16's scaler (or null). */
    record Model(ComputeDevice device, ResidualNetwork net, Optimizer optimizer, ModelEma ema, GradScaler scaler) {}

    /** The validation and training loaders (the latter null when evaluating), and mixup/CutMix when on. */
    record Loaders(DataLoader val, DataLoader train, Optional<BatchMix> mix) {}

    /** Where a run starts: from scratch (at --start-epoch) or from what a checkpoint recorded. */
    record Start(boolean resumed, int epoch, double bestAcc1, long updates, Optional<Checkpoint.MidEpoch> mid) {

        /** Fails when the checkpoint's interrupted epoch had more batches than an epoch has here. */
        void requireFits(int batchesPerEpoch, Path file) {
            mid.ifPresent(m -> {
                if (m.batchesDone() > batchesPerEpoch) {
                    throw new InterchangeException(file + ": checkpoint field 'mid_epoch.batches_done' is "
                            + m.batchesDone() + ", an epoch here has " + batchesPerEpoch + " batches");
                }
            });
        }
    }

    int rank() { return group == null ? 0 : group.rank(); }

    int world() { return group == null ? 1 : group.worldSize(); }

    ComputeDevice device() { return model.device(); }

    ResidualNetwork net() { return model.net(); }

    Optimizer optimizer() { return model.optimizer(); }

    ModelEma ema() { return model.ema(); }

    GradScaler scaler() { return model.scaler(); }

    DataLoader valLoader() { return loaders.val(); }

    DataLoader trainLoader() { return loaders.train(); }

    Optional<BatchMix> mix() { return loaders.mix(); }

    @Override
    public void close() {
        if (loaders.train() != null) {
            loaders.train().close();
        }
        loaders.val().close();
        if (model.ema() != null) {
            model.ema().close();
        }
        model.net().close();
    }
}
