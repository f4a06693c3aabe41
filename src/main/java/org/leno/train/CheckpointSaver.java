package org.leno.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Supplier;
import org.leno.interop.WeightFiles;
import org.leno.model.ModelWeights;
import org.leno.nn.NativeScope;
import org.leno.nn.StateDict;

/**
 * The run's checkpoints, as timm's CheckpointSaver: checkpoint.pth.tar after every epoch (and every
 * --save-every iterations, or when a stop is asked for, with the interrupted epoch's progress),
 * model_best.pth.tar when an epoch is a new best, checkpoint_epoch{E}.pth.tar rotated by
 * --checkpoint-hist and kept by --keep-epochs; and the resume from a checkpoint. Saving does nothing
 * on ranks other than 0; resuming is done by every rank.
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
     * After an update within an epoch, {@code iterationsDone} iterations into the run: the resumable
     * checkpoint of the epoch so far ({@code mid}) when --save-every is due or the run is stopping.
     */
    void afterUpdate(long iterationsDone, boolean stopping, double bestAcc1, long updates, Supplier<Checkpoint.MidEpoch> mid) {
        int every = cfg.checkpointing().saveEvery();
        if (writes && (stopping || every > 0 && iterationsDone % every == 0)) {
            Checkpoint.MidEpoch m = mid.get();
            save(new Checkpoint.Progress(m.epoch(), updates, bestAcc1, 0, Optional.of(m)));
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

    /**
     * Loads --resume (with auto: this run's own checkpoint, if any) into the freshly built network,
     * average, and, unless evaluating, optimizer and scaler; where the run starts. A checkpoint
     * interrupted past {@code batchesPerEpoch} batches fails.
     */
    static RunParts.Start resume(TrainConfig cfg, ResultFiles files, PrintStream out, RunParts.Model model,
                                 int batchesPerEpoch) {
        RunParts.Start fresh = new RunParts.Start(false, cfg.schedule().startEpoch(), 0, 0, Optional.empty());
        Path file = cfg.checkpointing().resume();
        if (TrainConfig.Checkpointing.AUTO.equals(file)) {
            file = Files.isRegularFile(files.checkpoint()) ? files.checkpoint() : null;
            out.println(file == null ? "=> --resume auto: no checkpoint yet in " + files.dir() + ", starting fresh"
                    : "=> --resume auto: continuing from " + file);
        }
        if (file == null) {
            return fresh;
        }
        WeightFiles.Loaded loaded = ModelWeights.load(model.net(), file);
        Checkpoint.Resumed r = Checkpoint.read(loaded);
        out.printf("=> loaded checkpoint '%s' (epoch %d)%n", file, r.epoch());
        String source = file.toString();
        if (model.ema() != null) {
            r.modelEma().ifPresentOrElse(m -> model.ema().load(m, source),
                    () -> out.println("=> the checkpoint has no model_ema; the average starts from its weights"));
        }
        if (cfg.checkpointing().evaluate()) {
            return new RunParts.Start(true, fresh.epoch(), 0, 0, Optional.empty());
        }
        r.optimizer().ifPresent(state -> model.optimizer().loadStateDict(state, source));
        if (model.scaler() != null) {
            r.scaler().ifPresent(state -> model.scaler().loadStateDict(state, source));
        }
        RunParts.Start point = new RunParts.Start(true, r.epoch(), r.bestAcc1(), r.updates(), r.midEpoch());
        point.requireFits(batchesPerEpoch, cfg.checkpointing().resume());
        return point;
    }
}
