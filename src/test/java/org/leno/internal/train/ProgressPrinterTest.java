package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.leno.internal.train.TrainingListener.EpochEvent;
import org.leno.internal.train.TrainingListener.Meters;
import org.leno.internal.train.TrainingListener.Metrics;
import org.leno.internal.train.TrainingListener.RanksAgree;
import org.leno.internal.train.TrainingListener.Reading;
import org.leno.internal.train.TrainingListener.StepEvent;
import org.leno.internal.train.TrainingListener.TrainedEvent;
import org.leno.internal.train.TrainingListener.ValidatedEvent;
import org.leno.internal.train.TrainingListener.ValidationStepEvent;

/**
 * The printed progress is the reference's (its ProgressMeter and AverageMeter formats: "Epoch: [E][ i/N]",
 * "{name} {val:fmt} ({avg:fmt})" joined by tabs, " * Acc@1 {:.3f} Acc@5 {:.3f}"), every --print-freq steps.
 */
class ProgressPrinterTest {
    private static final Meters TRAIN = new Meters(new Reading(0.5, 1.25), new Reading(0.001, 0.0625),
            new Reading(2.3456, 2.5), new Reading(12.5, 9.375), new Reading(50, 43.75));
    private static final Meters VAL = new Meters(new Reading(0.08, 0.09), null,
            new Reading(22.098, 21.98), new Reading(9.375, 10.9375), new Reading(50, 48.4375));

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final ProgressPrinter printer = new ProgressPrinter(new PrintStream(bytes, true, StandardCharsets.UTF_8),
            runtime(5));

    private static TrainConfig.Runtime runtime(int printFreq) {
        String[] args = {"--print-freq", Integer.toString(printFreq), "--no-progress"};
        return TrainConfigResolver.parse(args).runtime();
    }

    @Test
    void trainingAndValidationLinesEveryPrintFreqStepsInTheReferencesFormat() {
        for (int i = 0; i < 12; i++) {
            printer.onStep(new StepEvent(3, i, 12, 0.1, 64, true, i + 1, TRAIN), r -> { });
        }
        printer.onTrainingEpoch(new TrainedEvent(3, new Metrics(2.5, 9.375, 43.75), 0.1,
                Optional.of("skipped 1 unreadable image")), r -> { });
        printer.onValidationStep(new ValidationStepEvent("EMA ", 0, 2, VAL), r -> { });
        printer.onValidationStep(new ValidationStepEvent("EMA ", 1, 2, VAL), r -> { });
        printer.onValidated(new ValidatedEvent("EMA ", new Metrics(21.98, 10.9375, 48.4375), Optional.empty()), r -> { });
        String train = "\tTime  0.500 ( 1.250)\tData  0.001 ( 0.063)\tLoss 2.3456e+00 (2.5000e+00)\tAcc@1  12.50 (  9.38)"
                + "\tAcc@5  50.00 ( 43.75)";
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines()).containsExactly(
                "Epoch: [3][ 0/12]" + train,
                "Epoch: [3][ 5/12]" + train,
                "Epoch: [3][10/12]" + train,
                "skipped 1 unreadable image",
                "EMA Test: [0/2]\tTime  0.080 ( 0.090)\tLoss 2.2098e+01 (2.1980e+01)\tAcc@1   9.38 ( 10.94)\tAcc@5  50.00 ( 48.44)",
                " * EMA Acc@1 10.938 Acc@5 48.438");
    }

    @Test
    void aDistributedEpochSaysThatTheRanksAgree() {
        Metrics m = new Metrics(1, 2, 3);
        printer.onEpoch(new EpochEvent(0, m, m, Optional.empty(), 2, true, 0.1, 4, 1, 1, 64, Optional.empty()), r -> { });
        printer.onEpoch(new EpochEvent(1, m, m, Optional.empty(), 2, false, 0.1, 8, 1, 1, 64,
                Optional.of(new RanksAgree(2, 0x0badcafeL))), r -> { });
        assertThat(bytes.toString(StandardCharsets.UTF_8).lines())
                .containsExactly("=> parameters identical on all 2 ranks (crc32 0badcafe)");
    }
}
