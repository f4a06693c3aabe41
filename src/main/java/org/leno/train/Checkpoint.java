package org.leno.train;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.leno.interop.HostTensor;
import org.leno.interop.InterchangeException;
import org.leno.interop.OrderedDict;
import org.leno.interop.TensorData;
import org.leno.interop.TorchZip;
import org.leno.interop.WeightFiles;
import org.leno.model.ModelCard;

/**
 * A training checkpoint as torch.save writes it: the reference's keys ({@code epoch} = epochs
 * done, {@code arch}, {@code state_dict}, {@code best_acc1}, {@code val_acc1}, {@code optimizer})
 * plus ours: {@code lr_scheduler}, {@code model_ema} (torchvision's key, AveragedModel's state),
 * {@code rng} and {@code leno} (depth, classes, updates done, mid-epoch progress).
 */
public record Checkpoint(int epoch, String arch, Map<String, ? extends HostTensor> stateDict, double bestAcc1, double valAcc1,
                         Map<String, Object> optimizer, Map<String, Object> scheduler, OrderedDict modelEma, long seed,
                         int depth, int nClasses, long updates, Optional<MidEpoch> midEpoch, Map<String, Object> scaler) {

    /** The most epochs a checkpoint may claim; anything above is a damaged or crafted file. */
    static final long MAX_EPOCHS = 1_000_000;

    /** Where an interrupted epoch stopped, with the running sums that its train.log line needs. */
    public record MidEpoch(int epoch, int batchesDone, double lossSum, double acc1Sum, double acc5Sum, long count) {}

    public void save(Path file) {
        save(file, null);
    }

    /** With {@code modelCard} ({@link ModelCard#toMap}) under {@link ModelCard#KEY} when it is not null. */
    public void save(Path file, Map<String, Object> modelCard) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("epoch", epoch);
        root.put("arch", arch);
        root.put("state_dict", new OrderedDict(stateDict));
        root.put("best_acc1", TensorData.scalarFloat((float) bestAcc1));
        root.put("val_acc1", valAcc1);
        root.put("optimizer", optimizer);
        root.put("lr_scheduler", scheduler);
        if (modelEma != null) {
            root.put("model_ema", modelEma);
        }
        if (scaler != null) {
            root.put("scaler", scaler); // torch.cuda.amp.GradScaler's state_dict, as torchvision's train.py stores it
        }
        root.put("rng", Map.of("seed", seed,
                "note", "augmentation, mixing and dropout draws are functions of (seed, epoch, iteration)"));
        Map<String, Object> leno = new LinkedHashMap<>();
        leno.put("format", 2L);
        leno.put("depth", (long) depth);
        leno.put("n_classes", (long) nClasses);
        leno.put("updates", updates);
        leno.put("mid_epoch", midEpoch.map(m -> {
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("epoch", (long) m.epoch());
            mm.put("batches_done", (long) m.batchesDone());
            mm.put("loss_sum", m.lossSum());
            mm.put("acc1_sum", m.acc1Sum());
            mm.put("acc5_sum", m.acc5Sum());
            mm.put("count", m.count());
            return (Object) mm;
        }).orElse(null));
        root.put("leno", leno);
        if (modelCard != null) {
            root.put(ModelCard.KEY, modelCard);
        }
        TorchZip.write(file, root);
    }

    /** Copies a checkpoint file atomically (for model_best and the epoch history). */
    public static void copy(Path from, Path to) {
        try {
            Path tmp = Files.createTempFile(to.toAbsolutePath().getParent(), "." + to.getFileName() + ".", ".tmp");
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
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
