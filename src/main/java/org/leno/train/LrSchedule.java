package org.leno.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learning rate as a function of the number of scheduler steps taken, equal to PyTorch's
 * schedulers composed as torchvision's classification train.py composes them: an optional warm-up
 * (LinearLR from {@code warmupDecay} to 1, or ConstantLR at {@code warmupDecay}) for
 * {@code warmupEpochs}, then the main schedule (MultiStepLR at {@code milestones} by
 * {@code multistepGamma}, StepLR every {@code stepSize} epochs by {@code gamma}, CosineAnnealingLR
 * down to {@code lrMin} at the last epoch, ExponentialLR by {@code gamma}) counting from the end of
 * warm-up, as SequentialLR runs it. Per epoch, the rate of epoch e is the one after e steps; with
 * {@code onUpdates} every epoch count is multiplied by the updates per epoch (and the exponential
 * factor taken per update), and the rate of update u is the one after u steps. The reference steps
 * its scheduler at the start of each epoch, one step early; {@code referenceCompat} reproduces that.
 * Being a function of the count, the schedule cannot decay twice on resume (the reference's defect 3).
 */
public record LrSchedule(double base, LrSchedulerKind kind, int[] milestones, double multistepGamma, int stepSize,
                         double gamma, double lrMin, int epochs, int warmupEpochs, WarmupMethod warmupMethod,
                         double warmupDecay, boolean referenceCompat, boolean onUpdates) {

    public LrSchedule {
        milestones = milestones.clone();
        Arrays.sort(milestones);
    }

    /** The reference's MultiStepLR alone. */
    public static LrSchedule multistep(double base, int[] milestones, double gamma, boolean referenceCompat) {
        return new LrSchedule(base, LrSchedulerKind.MULTISTEP, milestones, gamma, 30, 0.1, 0, 90, 0, WarmupMethod.CONSTANT,
                0.01, referenceCompat, false);
    }

    @Override
    public int[] milestones() { return milestones.clone(); }

    /** The rate during epoch {@code epoch} (0-based), for a schedule stepped per epoch. */
    public double lr(int epoch) {
        return lr(epoch, 0, 1);
    }

    /** The rate of update {@code update} (0-based within the epoch) of {@code epoch}, of {@code updatesPerEpoch}. */
    public double lr(int epoch, int update, int updatesPerEpoch) {
        if (onUpdates) {
            return at((long) epoch * updatesPerEpoch + update, updatesPerEpoch);
        }
        return at(referenceCompat ? epoch + 1L : epoch, 1);
    }

    /** The rate after {@code t} scheduler steps, with {@code unit} steps per epoch. */
    private double at(long t, int unit) {
        long warm = (long) warmupEpochs * unit;
        if (t < warm) {
            double factor = warmupMethod == WarmupMethod.LINEAR
                    ? warmupDecay + (1.0 - warmupDecay) * t / warm : warmupDecay;
            return base * factor;
        }
        long m = t - warm;
        return switch (kind) {
            case MULTISTEP -> base * Math.pow(multistepGamma, Arrays.stream(milestones).filter(x -> (long) x * unit <= m).count());
            case STEP -> base * Math.pow(gamma, m / ((long) stepSize * unit));
            case COSINE -> lrMin + (base - lrMin) * (1 + Math.cos(Math.PI * m / ((long) (epochs - warmupEpochs) * unit))) / 2;
            case EXPONENTIAL -> base * Math.pow(gamma, (double) m / unit);
        };
    }

    /** What a checkpoint records of the schedule, with how far it has come. */
    public Map<String, Object> stateDict(int epochsDone, long updatesDone) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", kind.pytorchClass());
        out.put("base_lr", base);
        out.put("milestones", Arrays.stream(milestones).mapToObj(x -> (Object) (long) x).toList());
        out.put("gamma", kind == LrSchedulerKind.MULTISTEP ? multistepGamma : gamma);
        out.put("step_size", (long) stepSize);
        out.put("eta_min", lrMin);
        out.put("warmup_epochs", (long) warmupEpochs);
        out.put("warmup_method", warmupMethod.toString());
        out.put("warmup_decay", warmupDecay);
        out.put("sched_on_updates", onUpdates);
        out.put("reference_compat", referenceCompat);
        out.put("last_epoch", (long) epochsDone);
        out.put("updates", updatesDone);
        return out;
    }
}
