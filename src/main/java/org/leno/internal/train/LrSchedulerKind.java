package org.leno.internal.train;

import java.util.Arrays;
import java.util.Locale;
import org.leno.internal.config.Choice;

/**
 * The learning-rate schedules after warm-up, one table entry each: torchvision's name, PyTorch's
 * class (accepted too), the rate after {@code m} steps counted from the end of warm-up, and the
 * words that describe it. A new schedule is one entry here; the flag's help lists the entries.
 */
public enum LrSchedulerKind implements Choice {
    MULTISTEP("MultiStepLR", "the reference's MultiStepLR",
            (base, s, m, unit) -> base * Math.pow(s.lrReduceFactor(),
                    Arrays.stream(s.lrSteps()).filter(x -> (long) x * unit <= m).count()),
            s -> "x" + s.lrReduceFactor() + " at epochs " + Arrays.toString(s.lrSteps())),
    STEP("StepLR", "", (base, s, m, unit) -> base * Math.pow(s.lrGamma(), m / ((long) s.lrStepSize() * unit)),
            s -> "x" + s.lrGamma() + " every " + s.lrStepSize() + " epochs"),
    COSINE("CosineAnnealingLR", "",
            (base, s, m, unit) -> s.lrMin() + (base - s.lrMin())
                    * (1 + Math.cos(Math.PI * m / ((long) (s.epochs() - s.warmupEpochs()) * unit))) / 2,
            s -> "cosine to " + s.lrMin()),
    EXPONENTIAL("ExponentialLR", "", (base, s, m, unit) -> base * Math.pow(s.lrGamma(), (double) m / unit),
            s -> "x" + s.lrGamma() + " per epoch");

    /** What the entries read: the schedule's flags (TrainConfig.Schedule). */
    public interface Flags {
        int epochs();

        int[] lrSteps();

        double lrReduceFactor();

        int lrStepSize();

        double lrGamma();

        double lrMin();

        int warmupEpochs();
    }

    /** The rate from {@code base} after {@code m} steps past warm-up, with {@code unit} steps per epoch. */
    @FunctionalInterface
    private interface Rate {
        double at(double base, Flags s, long m, int unit);
    }

    /** A few words on the schedule, for the run's opening lines. */
    @FunctionalInterface
    private interface Description {
        String of(Flags s);
    }

    private final String pytorchClass;
    private final String note;
    private final Rate rate;
    private final Description description;

    LrSchedulerKind(String pytorchClass, String note, Rate rate, Description description) {
        this.pytorchClass = pytorchClass;
        this.note = note;
        this.rate = rate;
        this.description = description;
    }

    public String pytorchClass() { return pytorchClass; }

    double rate(double base, Flags s, long m, int unit) {
        return rate.at(base, s, m, unit);
    }

    /** "x0.1 at epochs [30, 60, 80]", "cosine to 0.0", ... */
    public String describe(Flags s) {
        return description.of(s);
    }

    @Override
    public String help() {
        return note.isEmpty() ? toString() : this + " (" + note + ")";
    }

    /** Accepts "multistep" or "MultiStepLR" in any case (the reference's args.json says MultiStepLR). */
    public static LrSchedulerKind parse(String text) {
        return Arrays.stream(values())
                .filter(k -> k.name().equalsIgnoreCase(text) || k.pytorchClass.equalsIgnoreCase(text)
                        || k.name().replace("_", "").equalsIgnoreCase(text.replace("_", "").replace("-", "")))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--lr_scheduler " + text + ": expected one of "
                        + Arrays.stream(values()).map(LrSchedulerKind::toString).toList()));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
