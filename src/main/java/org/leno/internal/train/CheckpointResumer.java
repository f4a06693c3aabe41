package org.leno.internal.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.ModelWeights;

/**
 * Resuming a run: --resume's checkpoint (with auto, this run's own, if any) read into the freshly
 * built parts. Every rank of a distributed run resumes; saving is {@link CheckpointSaver}'s.
 */
final class CheckpointResumer {
    private CheckpointResumer() {
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
