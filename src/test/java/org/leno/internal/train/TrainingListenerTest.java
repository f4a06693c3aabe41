package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.run.RunLayout;
import org.leno.internal.testing.Cli;
import org.leno.internal.train.TrainingListener.EpochEvent;
import org.leno.internal.train.TrainingListener.StepEvent;
import org.leno.internal.train.TrainingListener.ValidatedEvent;
import org.leno.internal.train.TrainingListener.ValidationStepEvent;

/** A caller's listener sees every step and epoch with the numbers the logs record, and can stop the run as SIGINT does. */
class TrainingListenerTest {

    /** Records every event; asks for a stop at a given step of epoch 0 (never when negative). */
    private static final class Recorder implements TrainingListener {
        final List<StepEvent> steps = new ArrayList<>();
        final List<EpochEvent> epochs = new ArrayList<>();
        final List<ValidationStepEvent> validationSteps = new ArrayList<>();
        final List<ValidatedEvent> validated = new ArrayList<>();
        final List<TrainingOutcome> ends = new ArrayList<>();
        private final int stopAt;

        Recorder(int stopAt) {
            this.stopAt = stopAt;
        }

        @Override
        public void onStep(StepEvent step, Control run) {
            steps.add(step);
            if (step.epoch() == 0 && step.step() == stopAt) {
                run.requestStop("listener");
            }
        }

        @Override
        public void onEpoch(EpochEvent epoch, Control run) {
            epochs.add(epoch);
        }

        @Override
        public void onValidationStep(ValidationStepEvent step, Control run) {
            validationSteps.add(step);
        }

        @Override
        public void onValidated(ValidatedEvent v, Control run) {
            validated.add(v);
        }

        @Override
        public void onEnd(TrainingOutcome outcome) {
            ends.add(outcome);
        }
    }

    private static TrainingOutcome run(Path results, Recorder listener, String... flags) {
        List<String> args = new ArrayList<>(List.of("--result_path", results.toString()));
        args.addAll(Arrays.asList(TrainCommandTest.SMALL));
        args.addAll(Arrays.asList(flags));
        TrainConfig cfg = TrainConfigResolver.parse(args.toArray(String[]::new));
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        return new Trainer(cfg, null, Map.of("test", true), out, List.of(listener)).run();
    }

    @Test
    void everyStepAndEpochReachesTheListenerWithTheLoggedNumbers(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("run");
        Recorder r = new Recorder(-1);
        assertThat(run(results, r, "--epochs", "2", "--accum-steps", "2")).isEqualTo(new TrainingOutcome.Completed());
        // 96 images in batches of 32: 3 steps per epoch, updates after steps 1 and 2 (the last takes what is left)
        assertThat(r.steps).hasSize(6);
        assertThat(r.steps.stream().map(s -> s.epoch() + ":" + s.step() + "/" + s.stepsInEpoch() + (s.update() ? "u" : "")))
                .containsExactly("0:0/3", "0:1/3u", "0:2/3u", "1:0/3", "1:1/3u", "1:2/3u");
        assertThat(r.steps.stream().map(StepEvent::updates).toList()).containsExactly(0L, 1L, 2L, 2L, 3L, 4L);
        assertThat(r.steps).allSatisfy(s -> {
            assertThat(s.lr()).isEqualTo(0.02);
            assertThat(s.seconds()).isPositive();
            assertThat(s.imagesPerSecond()).isCloseTo(32 / s.seconds(), offset(1e-6));
        });
        List<String> train = Files.readAllLines(results.resolve(RunLayout.TRAIN_LOG));
        List<String> val = Files.readAllLines(results.resolve(RunLayout.VAL_LOG));
        assertThat(r.epochs).hasSize(2);
        for (EpochEvent e : r.epochs) {
            assertThat(train.get(e.epoch() + 1)).isEqualTo(String.format(Locale.ROOT, "%d\t%.4f\t%.2f\t%.2f\t%.6f",
                    e.epoch() + 1, e.train().loss(), e.train().acc1(), e.train().acc5(), e.lr()));
            assertThat(val.get(e.epoch() + 1)).isEqualTo(String.format(Locale.ROOT, "%d\t%.4f\t%.2f\t%.2f",
                    e.epoch() + 1, e.val().loss(), e.val().acc1(), e.val().acc5()));
            assertThat(e.valEma()).isEmpty();
            assertThat(e.updates()).isEqualTo(2L * (e.epoch() + 1));
            assertThat(e.seconds()).isEqualTo(e.trainSeconds() + e.valSeconds());
        }
        // the mean of epoch 0's step losses, each batch weighted by its 32 images, is train.log's loss
        double mean = r.steps.subList(0, 3).stream().mapToDouble(StepEvent::loss).average().orElseThrow();
        assertThat(r.epochs.get(0).train().loss()).isCloseTo(mean, offset(1e-9));
        // validation speaks through listeners too: every step, then the averages that val.log records
        assertThat(r.validated).hasSize(2);
        for (int e = 0; e < 2; e++) {
            assertThat(r.validated.get(e).label()).isEmpty();
            assertThat(r.validated.get(e).metrics()).isEqualTo(r.epochs.get(e).val());
        }
        int valSteps = r.validationSteps.size() / 2;
        assertThat(valSteps).isPositive();
        assertThat(r.validationSteps.stream().map(v -> v.step() + "/" + v.steps()).distinct().count()).isEqualTo(valSteps);
        ValidationStepEvent lastVal = r.validationSteps.get(valSteps - 1);
        assertThat(lastVal.meters().acc1().average()).isCloseTo(r.epochs.get(0).val().acc1(), offset(1e-9));
        assertThat(lastVal.meters().data()).isNull();
        StepEvent lastTrain = r.steps.get(2);
        assertThat(lastTrain.meters().loss().average()).isCloseTo(r.epochs.get(0).train().loss(), offset(1e-9));
        assertThat(lastTrain.meters().loss().value()).isEqualTo(lastTrain.loss());
        assertThat(r.ends).containsExactly(new TrainingOutcome.Completed());
        EpochEvent first = r.epochs.get(0);
        EpochEvent second = r.epochs.get(1);
        assertThat(first.best()).isEqualTo(first.val().acc1() > 0);
        assertThat(second.bestAcc1()).isEqualTo(Math.max(first.val().acc1(), second.val().acc1()));
        assertThat(second.best()).isEqualTo(second.val().acc1() > first.val().acc1());
    }

    @Test
    void aListenersStopRequestEndsTheRunAfterTheUpdateWithAResumableCheckpoint(@TempDir Path dir) {
        Path results = dir.resolve("run");
        Recorder r = new Recorder(1);
        TrainingOutcome stopped = run(results, r, "--epochs", "1");
        assertThat(stopped).isInstanceOfSatisfying(TrainingOutcome.StoppedByListener.class,
                s -> assertThat(s.reason()).isEqualTo("listener"));
        assertThat(stopped.message()).contains("stopped by listener after batch 2 of epoch 0");
        assertThat(r.steps).hasSize(2);
        assertThat(r.epochs).isEmpty();
        assertThat(r.ends).containsExactly(stopped);
        Map<?, ?> ckpt = (Map<?, ?>) WeightFiles.readObject(results.resolve(RunLayout.CHECKPOINT));
        assertThat(((Map<?, ?>) ((Map<?, ?>) ckpt.get("leno")).get("mid_epoch")).get("batches_done")).isEqualTo(2L);
        Path straight = dir.resolve("straight");
        assertThat(run(straight, new Recorder(-1), "--epochs", "1")).isEqualTo(new TrainingOutcome.Completed());
        Cli.Result resumed = TrainCommandTest.train(results, "--epochs", "1", "--resume", "auto");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(results.resolve(RunLayout.TRAIN_LOG)).hasSameTextualContentAs(straight.resolve(RunLayout.TRAIN_LOG));
        assertThat(results.resolve(RunLayout.VAL_LOG)).hasSameTextualContentAs(straight.resolve(RunLayout.VAL_LOG));
    }
}
