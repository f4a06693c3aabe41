package org.leno.internal.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * What a run prints of its progress, as the reference prints it (torchvision's MetricLogger.log_every):
 * an "Epoch: [E][ i/N]" line every --print-freq training steps and a "{label}Test: [ i/N]" line every
 * --print-freq validation steps, each with its meters' last values and averages; the loader's line on
 * skipped images; the " * Acc@1 ... Acc@5 ..." line after each validation; in a distributed run, the
 * line saying that every rank holds the same parameters after the epoch; and a progress bar per
 * training epoch with --progress when stdout is a terminal.
 */
final class ProgressPrinter implements TrainingListener {
    private final PrintStream out;
    private final int printFreq;
    private final boolean bars;
    private ProgressBar bar;

    ProgressPrinter(PrintStream out, TrainConfig.Runtime runtime) {
        this.out = out;
        this.printFreq = runtime.printFreq();
        this.bars = runtime.progress() && System.console() != null;
    }

    @Override
    public void onStep(StepEvent s, Control run) {
        if (bars) {
            if (bar == null) {
                bar = new ProgressBarBuilder().setTaskName("epoch " + s.epoch()).setInitialMax(s.stepsInEpoch())
                        .setStyle(ProgressBarStyle.ASCII).continuousUpdate().build();
            }
            bar.stepTo(s.step() + 1);
            bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc@1 %.2f", s.meters().loss().average(),
                    s.meters().acc1().average()));
        }
        if (s.step() % printFreq == 0) {
            out.println(line("Epoch: [" + s.epoch() + "]", s.step(), s.stepsInEpoch(), s.meters()));
        }
    }

    @Override
    public void onTrainingEpoch(TrainedEvent t, Control run) {
        note(t.skipped());
        closeBar();
    }

    @Override
    public void onValidationStep(ValidationStepEvent s, Control run) {
        if (s.step() % printFreq == 0) {
            out.println(line(s.label() + "Test: ", s.step(), s.steps(), s.meters()));
        }
    }

    @Override
    public void onValidated(ValidatedEvent v, Control run) {
        note(v.skipped());
        out.printf(Locale.ROOT, " * %sAcc@1 %.3f Acc@5 %.3f%n", v.label(), v.metrics().acc1(), v.metrics().acc5());
    }

    @Override
    public void onEpoch(EpochEvent e, Control run) {
        e.ranksAgree().ifPresent(a -> out.printf("=> parameters identical on all %d ranks (crc32 %08x)%n", a.ranks(), a.crc32()));
    }

    @Override
    public void onEnd(TrainingOutcome outcome) {
        closeBar();
    }

    private static String line(String prefix, int step, int steps, Meters m) {
        List<String> parts = new ArrayList<>();
        parts.add(prefix + String.format("[%" + Integer.toString(steps).length() + "d/" + steps + "]", step));
        parts.add(meter("Time", "%6.3f", m.time()));
        if (m.data() != null) {
            parts.add(meter("Data", "%6.3f", m.data()));
        }
        parts.add(meter("Loss", "%.4e", m.loss()));
        parts.add(meter("Acc@1", "%6.2f", m.acc1()));
        parts.add(meter("Acc@5", "%6.2f", m.acc5()));
        return String.join("\t", parts);
    }

    private static String meter(String name, String format, Reading r) {
        return name + " " + String.format(format, r.value()) + " (" + String.format(format, r.average()) + ")";
    }

    private void note(Optional<String> line) {
        line.ifPresent(out::println);
    }

    private void closeBar() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
