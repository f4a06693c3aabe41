package org.leno.train;

import java.util.Arrays;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;

/** The learning-rate schedules after warm-up, by torchvision's names; PyTorch's class names are accepted too. */
public enum LrSchedulerKind {
    MULTISTEP("MultiStepLR"),
    STEP("StepLR"),
    COSINE("CosineAnnealingLR"),
    EXPONENTIAL("ExponentialLR");

    private final String pytorchClass;

    LrSchedulerKind(String pytorchClass) {
        this.pytorchClass = pytorchClass;
    }

    public String pytorchClass() { return pytorchClass; }

    /** Accepts "multistep" or "MultiStepLR" in any case (the reference's args.json says MultiStepLR). */
    public static LrSchedulerKind parse(String text) {
        return Arrays.stream(values())
                .filter(k -> k.name().equalsIgnoreCase(text) || k.pytorchClass.equalsIgnoreCase(text)
                        || k.name().replace("_", "").equalsIgnoreCase(text.replace("_", "").replace("-", "")))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--lr_scheduler " + text + ": expected one of "
                        + Arrays.stream(values()).map(LrSchedulerKind::toString).toList()));
    }

    /** picocli's converter for it. */
    public static final class Converter implements ITypeConverter<LrSchedulerKind> {
        @Override
        public LrSchedulerKind convert(String value) {
            return parse(value);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
