package org.leno.internal.train;

import java.util.Optional;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;

/**
 * The run's checkpoints, as timm's CheckpointSaver: checkpoint.pth.tar after every epoch (and every
 * --save-every iterations, or when a stop is asked for, with the interrupted epoch's progress),
 * model_best.pth.tar when an epoch is a new best, checkpoint_epoch{E}.pth.tar rotated by
 * --checkpoint-hist and kept by --keep-epochs. It does nothing on ranks other than 0. Reading a
 * checkpoint back is {@link CheckpointResumer}'s.
 */
final class CheckpointSaver implements TrainingListener {

    private final TrainConfig cfg;
    private final ResultFiles files;
    private final RunParts parts;
    private final boolean writes;

    /** {@code writes}: whether this process writes files (rank 0, or the only one). */
    CheckpointSaver(TrainConfig cfg, ResultFiles files, RunParts parts, boolean writes) {
        this.cfg = cfg;
        this.files = files;
        this.parts = parts;
        this.writes = writes;
    }

    /**
     * After an update within an epoch (not its last, whose checkpoint follows the validation): the
     * resumable checkpoint of the epoch so far when --save-every is due or the run is stopping.
     */
    @Override
    public void onUpdate(UpdateEvent u, Control run) {
        int every = cfg.checkpointing().saveEvery();
        if (writes && !u.endsEpoch() && (u.stopping() || every > 0 && u.iterationsDone() % every == 0)) {
            Checkpoint.MidEpoch m = u.progress().get();
            save(new Checkpoint.Progress(m.epoch(), u.updates(), u.bestAcc1(), 0, Optional.of(m)));
        }
    }

    /** The epoch's checkpoint, the best's copy, and the history's rotation. */
    @Override
    public void onEpoch(EpochEvent e, Control run) {
        if (!writes) {
            return;
        }
        int epochsDone = e.epoch() + 1;
        save(new Checkpoint.Progress(epochsDone, e.updates(), e.bestAcc1(), e.val().acc1(), Optional.empty()));
        if (e.best()) {
            Checkpoint.copy(files.checkpoint(), files.best());
        }
        TrainConfig.Checkpointing c = cfg.checkpointing();
        int keep = c.checkpointHist();
        if (keep > 0 || c.keeps(epochsDone)) {
            Checkpoint.copy(files.checkpoint(), files.epochCheckpoint(epochsDone));
        }
        if (keep > 0 && !c.keeps(epochsDone - keep)) {
            files.deleteEpochCheckpoint(epochsDone - keep);
        }
    }

    /**
     * The run as it stands, at {@code progress}: the one place where a checkpoint's contents are
     * gathered (the tensors are read lazily from native memory when it is written).
     */
    Checkpoint checkpoint(Checkpoint.Progress progress) {
        ModelEma ema = parts.ema();
        GradScaler scaler = parts.scaler();
        Checkpoint.Model model = new Checkpoint.Model(cfg.model().arch().id(), cfg.model().depth(), cfg.model().nClasses(),
                StateDict.lazy(parts.net()), ema == null ? null : ema.stateDict());
        Checkpoint.TrainingState state = new Checkpoint.TrainingState(parts.optimizer().stateDict(),
                parts.schedule().stateDict(progress.epoch(), progress.updates()), scaler == null ? null : scaler.stateDict(),
                parts.seed());
        return new Checkpoint(model, progress, state);
    }

    /** Writes checkpoint.pth.tar, streaming the tensors from native memory (no Java heap copy). */
    private void save(Checkpoint.Progress progress) {
        try (NativeScope scope = NativeScope.open()) {
            checkpoint(progress).save(files.checkpoint(), parts.modelCard());
        }
    }
}
