package org.leno.internal.train;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The learning rate as a function of the number of scheduler steps taken, equal to PyTorch's
 * schedulers composed as torchvision's classification train.py composes them: an optional warm-up
 * (LinearLR from the warm-up decay to 1, or ConstantLR at it) for the warm-up epochs, then the main
 * schedule of {@link LrSchedulerKind} counting from the end of warm-up, as SequentialLR runs it.
 * Per epoch, the rate of epoch e is the one after e steps; with --sched-on-updates every epoch count
 * is multiplied by the updates per epoch (and the exponential factor taken per update), and the rate
 * of update u is the one after u steps. The reference steps its scheduler at the start of each epoch,
 * one step early; --lr-schedule-compat reproduces that. Being a function of the count, the schedule
 * cannot decay twice on resume (the reference's defect 3).
 *
 * @param base the rate reached after warm-up
 * @param flags the schedule's flags
 */
public record LrSchedule(double base, TrainConfig.Schedule flags) {

    /** The reference's MultiStepLR alone (the other flags at their defaults). */
    public static LrSchedule multistep(double base, int[] milestones, double gamma, boolean referenceCompat) {
        return new LrSchedule(base, new TrainConfig.Schedule(90, 0, LrSchedulerKind.MULTISTEP, milestones, gamma, 30, 0.1,
                0, 0, WarmupMethod.CONSTANT, 0.01, false, referenceCompat));
    }

    /** The rate during epoch {@code epoch} (0-based), for a schedule stepped per epoch. */
    public double lr(int epoch) {
        return lr(epoch, 0, 1);
    }

    /** The rate of update {@code update} (0-based within the epoch) of {@code epoch}, of {@code updatesPerEpoch}. */
    public double lr(int epoch, int update, int updatesPerEpoch) {
        if (flags.onUpdates()) {
            return at((long) epoch * updatesPerEpoch + update, updatesPerEpoch);
        }
        return at(flags.compat() ? epoch + 1L : epoch, 1);
    }

    /** The rate after {@code t} scheduler steps, with {@code unit} steps per epoch. */
    private double at(long t, int unit) {
        long warm = (long) flags.warmupEpochs() * unit;
        if (t < warm) {
            double decay = flags.warmupDecay();
            double factor = flags.warmupMethod() == WarmupMethod.LINEAR ? decay + (1.0 - decay) * t / warm : decay;
            return base * factor;
        }
        return flags.scheduler().rate(base, flags, t - warm, unit);
    }

    /** What a checkpoint records of the schedule, with how far it has come. */
    public Map<String, Object> stateDict(int epochsDone, long updatesDone) {
        LrSchedulerKind kind = flags.scheduler();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("type", kind.pytorchClass());
        out.put("base_lr", base);
        out.put("milestones", Arrays.stream(flags.lrSteps()).sorted().mapToObj(x -> (Object) (long) x).toList());
        out.put("gamma", kind == LrSchedulerKind.MULTISTEP ? flags.lrReduceFactor() : flags.lrGamma());
        out.put("step_size", (long) flags.lrStepSize());
        out.put("eta_min", flags.lrMin());
        out.put("warmup_epochs", (long) flags.warmupEpochs());
        out.put("warmup_method", flags.warmupMethod().toString());
        out.put("warmup_decay", flags.warmupDecay());
        out.put("sched_on_updates", flags.onUpdates());
        out.put("reference_compat", flags.compat());
        out.put("last_epoch", (long) epochsDone);
        out.put("updates", updatesDone);
        return out;
    }
}
