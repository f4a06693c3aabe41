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

/**
 * A training checkpoint as torch.save writes it: the reference's keys ({@code epoch} = epochs
 * done, {@code arch}, {@code state_dict}, {@code best_acc1}, {@code val_acc1}, {@code optimizer})
 * plus ours: {@code lr_scheduler}, {@code rng} and {@code leno} (depth, classes, mid-epoch progress).
 */
public record Checkpoint(int epoch, String arch, Map<String, ? extends HostTensor> stateDict, double bestAcc1, double valAcc1,
                         Map<String, Object> optimizer, Map<String, Object> scheduler, long seed, int depth,
                         int nClasses, Optional<MidEpoch> midEpoch) {

    /** Where an interrupted epoch stopped, with the running sums that its train.log line needs. */
    public record MidEpoch(int epoch, int batchesDone, double lossSum, double acc1Sum, double acc5Sum, long count) {}

    public void save(Path file) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("epoch", epoch);
        root.put("arch", arch);
        root.put("state_dict", new OrderedDict(stateDict));
        root.put("best_acc1", TensorData.scalarFloat((float) bestAcc1));
        root.put("val_acc1", valAcc1);
        root.put("optimizer", optimizer);
        root.put("lr_scheduler", scheduler);
        root.put("rng", Map.of("seed", seed,
                "note", "augmentation and dropout draws are functions of (seed, epoch, iteration)"));
        Map<String, Object> leno = new LinkedHashMap<>();
        leno.put("format", 1L);
        leno.put("depth", (long) depth);
        leno.put("n_classes", (long) nClasses);
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
        TorchZip.write(file, root);
    }

    /** Copies a checkpoint file atomically (for model_best). */
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

    /** What a resume needs from a checkpoint file, ours or the reference's. */
    public record Resumed(WeightFiles.Loaded weights, int epoch, double bestAcc1, Optional<Map<?, ?>> optimizer,
                          Optional<Long> seed, Optional<MidEpoch> midEpoch) {}

    public static Resumed read(WeightFiles.Loaded loaded) {
        Map<?, ?> c = loaded.checkpoint().orElse(Map.of());
        int epoch = c.get("epoch") instanceof Number n ? n.intValue() : 0;
        double best = 0;
        Object b = c.get("best_acc1");
        if (b instanceof Number n) {
            best = n.doubleValue();
        } else if (b instanceof TensorData t && t.numel() == 1) {
            best = t.toDoubles()[0];
        }
        Optional<Map<?, ?>> optimizer = c.get("optimizer") instanceof Map<?, ?> m ? Optional.of(m) : Optional.empty();
        Optional<Long> seed = c.get("rng") instanceof Map<?, ?> r && r.get("seed") instanceof Number s
                ? Optional.of(s.longValue()) : Optional.empty();
        Optional<MidEpoch> mid = Optional.empty();
        if (c.get("leno") instanceof Map<?, ?> leno && leno.get("mid_epoch") instanceof Map<?, ?> m) {
            mid = Optional.of(new MidEpoch(num(m, "epoch").intValue(), num(m, "batches_done").intValue(),
                    num(m, "loss_sum").doubleValue(), num(m, "acc1_sum").doubleValue(), num(m, "acc5_sum").doubleValue(),
                    num(m, "count").longValue()));
        }
        return new Resumed(loaded, epoch, best, optimizer, seed, mid);
    }

    private static Number num(Map<?, ?> m, String key) {
        if (m.get(key) instanceof Number n) {
            return n;
        }
        throw new InterchangeException("checkpoint mid_epoch has no number '" + key + "'");
    }
}
