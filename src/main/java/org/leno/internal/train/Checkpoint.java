package org.leno.internal.train;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.OrderedDict;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.TorchZip;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.ModelCard;

/**
 * A training checkpoint as torch.save writes it: the reference's keys ({@code epoch} = epochs
 * done, {@code arch}, {@code state_dict}, {@code best_acc1}, {@code val_acc1}, {@code optimizer})
 * plus ours: {@code lr_scheduler}, {@code model_ema} (torchvision's key, AveragedModel's state),
 * {@code rng} and {@code leno} (depth, classes, updates done, mid-epoch progress).
 */
public record Checkpoint(Model model, Progress progress, TrainingState training) {

    /** The most epochs a checkpoint may claim; anything above is a damaged or crafted file. */
    static final long MAX_EPOCHS = 1_000_000;

    /** What the network is and its weights; {@code ema} is the weight average's state, or null. */
    public record Model(String arch, int depth, int nClasses, Map<String, ? extends HostTensor> stateDict, OrderedDict ema) {}

    /**
     * How far the run has come: {@code epoch} = epochs done, optimizer updates done, the best and
     * the last validation Acc@1, and where an interrupted epoch stopped (empty after a whole epoch).
     */
    public record Progress(int epoch, long updates, double bestAcc1, double valAcc1, Optional<MidEpoch> midEpoch) {}

    /** What continuing needs besides the weights: the states of optimizer, schedule and loss scaler (or null), the seed. */
    public record TrainingState(Map<String, Object> optimizer, Map<String, Object> scheduler, Map<String, Object> scaler,
                                long seed) {}

    /** Where an interrupted epoch stopped, with the running sums that its train.log line needs. */
    public record MidEpoch(int epoch, int batchesDone, double lossSum, double acc1Sum, double acc5Sum, long count) {}

    /** Writes {@link #toDict()} as torch.save does, streaming the tensors from native memory. */
    public void save(Path file) {
        TorchZip.write(file, toDict());
    }

    /** With {@code modelCard} ({@link ModelCard#toMap}) under {@link ModelCard#KEY} when it is not null. */
    public void save(Path file, Map<String, Object> modelCard) {
        Map<String, Object> root = toDict();
        if (modelCard != null) {
            root.put(ModelCard.KEY, modelCard);
        }
        TorchZip.write(file, root);
    }

    /** The checkpoint's dictionary, key by key: the one place where its contents are assembled. */
    public Map<String, Object> toDict() {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("epoch", progress.epoch());
        root.put("arch", model.arch());
        root.put("state_dict", new OrderedDict(model.stateDict()));
        root.put("best_acc1", TensorData.scalarFloat((float) progress.bestAcc1()));
        root.put("val_acc1", progress.valAcc1());
        root.put("optimizer", training.optimizer());
        root.put("lr_scheduler", training.scheduler());
        if (model.ema() != null) {
            root.put("model_ema", model.ema());
        }
        if (training.scaler() != null) {
            root.put("scaler", training.scaler()); // torch.cuda.amp.GradScaler's state_dict, as torchvision's train.py stores it
        }
        Map<String, Object> rng = new LinkedHashMap<>(); // in this order in every run (Map.of's order varies by JVM)
        rng.put("seed", training.seed());
        rng.put("note", "augmentation, mixing and dropout draws are functions of (seed, epoch, iteration)");
        root.put("rng", rng);
        root.put("leno", lenoDict());
        return root;
    }

    private Map<String, Object> lenoDict() {
        Map<String, Object> leno = new LinkedHashMap<>();
        leno.put("format", 2L);
        leno.put("depth", (long) model.depth());
        leno.put("n_classes", (long) model.nClasses());
        leno.put("updates", progress.updates());
        leno.put("mid_epoch", progress.midEpoch().map(m -> {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("epoch", (long) m.epoch());
            mm.put("batches_done", (long) m.batchesDone());
            mm.put("loss_sum", m.lossSum());
            mm.put("acc1_sum", m.acc1Sum());
            mm.put("acc5_sum", m.acc5Sum());
            mm.put("count", m.count());
            return (Object) mm;
        }).orElse(null));
        return leno;
    }

    /**
     * Gives a checkpoint file a second name atomically (model_best, the epoch history): a hard link where
     * the file system allows, so that the bytes are on disk once (a checkpoint is never modified in
     * place: each save writes a new file and renames it), else a copy.
     */
    public static void copy(Path from, Path to) {
        Path dir = to.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + to.getFileName() + "." + ProcessHandle.current().pid() + "." + System.nanoTime()
                + ".tmp");
        try {
            try {
                Files.createLink(tmp, from);
            } catch (UnsupportedOperationException | IOException notLinkable) {
                Files.deleteIfExists(tmp);
                Files.copy(from, tmp);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the stale temporary is removed at the next start
            }
            throw new InterchangeException("cannot write " + to + ": " + e.getMessage(), e);
        }
    }

    /** What a resume needs from a checkpoint file, ours or the reference's, each value checked. */
    public record Resumed(WeightFiles.Loaded weights, int epoch, double bestAcc1, Optional<Map<?, ?>> optimizer,
                          Optional<Map<?, ?>> modelEma, Optional<Long> seed, long updates, Optional<MidEpoch> midEpoch,
                          Optional<Map<?, ?>> scaler) {}

    public static Resumed read(WeightFiles.Loaded loaded) {
        String file = loaded.file().toString();
        Map<?, ?> c = loaded.checkpoint().orElse(Map.of());
        int epoch = (int) count(c.get("epoch"), "epoch", MAX_EPOCHS, file, 0);
        double best = 0;
        Object b = c.get("best_acc1");
        if (b instanceof Number n) {
            best = n.doubleValue();
        } else if (b instanceof TensorData t && t.numel() == 1) {
            best = t.toDoubles()[0];
        }
        if (!(best >= 0 && best <= 100)) {
            throw new InterchangeException(file + ": best_acc1 " + best + " is not a percentage");
        }
        Optional<Map<?, ?>> optimizer = c.get("optimizer") instanceof Map<?, ?> m ? Optional.of(m) : Optional.empty();
        Optional<Map<?, ?>> ema = c.get("model_ema") instanceof Map<?, ?> m ? Optional.of(m) : Optional.empty();
        Optional<Long> seed = c.get("rng") instanceof Map<?, ?> r && r.get("seed") instanceof Long s
                ? Optional.of(s) : Optional.empty();
        long updates = 0;
        Optional<MidEpoch> mid = Optional.empty();
        if (c.get("leno") instanceof Map<?, ?> leno) {
            updates = count(leno.get("updates"), "leno.updates", Long.MAX_VALUE / 2, file, 0);
            if (leno.get("mid_epoch") instanceof Map<?, ?> m) {
                mid = Optional.of(midEpoch(m, epoch, file));
            }
        }
        Optional<Map<?, ?>> scaler = c.get("scaler") instanceof Map<?, ?> m ? Optional.of(m) : Optional.empty();
        return new Resumed(loaded, epoch, best, optimizer, ema, seed, updates, mid, scaler);
    }

    private static MidEpoch midEpoch(Map<?, ?> m, int epoch, String file) {
        int at = (int) count(m.get("epoch"), "mid_epoch.epoch", MAX_EPOCHS, file, -1);
        if (at != epoch) {
            throw new InterchangeException(file + ": mid_epoch.epoch " + at + " is not the checkpoint's epoch " + epoch);
        }
        int batches = (int) count(m.get("batches_done"), "mid_epoch.batches_done", Integer.MAX_VALUE, file, -1);
        long n = count(m.get("count"), "mid_epoch.count", Long.MAX_VALUE / 2, file, -1);
        return new MidEpoch(at, batches, finite(m, "loss_sum", file), finite(m, "acc1_sum", file),
                finite(m, "acc5_sum", file), n);
    }

    /** A non-negative whole number at most {@code max}; {@code fallback} when absent (a negative fallback: required). */
    private static long count(Object value, String field, long max, String file, long fallback) {
        if (value == null && fallback >= 0) {
            return fallback;
        }
        if (!(value instanceof Long || value instanceof Integer)) {
            throw new InterchangeException(file + ": checkpoint field '" + field + "' is not a whole number");
        }
        long v = ((Number) value).longValue();
        if (v < 0 || v > max) {
            throw new InterchangeException(file + ": checkpoint field '" + field + "' is " + v + ", outside 0.." + max);
        }
        return v;
    }

    private static double finite(Map<?, ?> m, String key, String file) {
        if (m.get(key) instanceof Number n && Double.isFinite(n.doubleValue())) {
            return n.doubleValue();
        }
        throw new InterchangeException(file + ": checkpoint field 'mid_epoch." + key + "' is not a finite number");
    }
}
