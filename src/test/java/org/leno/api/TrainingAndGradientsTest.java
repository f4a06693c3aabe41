package org.leno.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.testing.Cli;

/** Training from code with a listener, and gradient-norm ratios from code against `leno gradnorm`. */
class TrainingAndGradientsTest {
    @TempDir
    Path dir;

    private String[] tiny(Path results, String epochs) {
        return new String[] {"--epochs", epochs, "--train-samples", "32", "--val-samples", "16", "-b", "16", "--seed", "3",
                "--train_crop_size", "24", "--val_resize", "28", "--val_crop_size", "24", "--print-freq", "1",
                "--result_path", results.toString()};
    }

    @Test
    void aRunReportsEveryStepAndEpochAndWritesALoadableRun() throws IOException {
        Path results = dir.resolve("run");
        List<TrainingListener.StepMetrics> steps = new ArrayList<>();
        List<TrainingListener.EpochMetrics> epochs = new ArrayList<>();
        Training.Outcome outcome = Training.fromArgs(tiny(results, "1")).listener(new TrainingListener() {
            @Override
            public boolean onStep(StepMetrics m) {
                return steps.add(m);
            }

            @Override
            public boolean onEpoch(EpochMetrics m) {
                return epochs.add(m);
            }
        }).run();
        assertThat(outcome.stopped()).isFalse();
        assertThat(outcome.resultFolder()).isEqualTo(results);
        assertThat(steps).extracting(s -> s.epoch() + "/" + s.batch() + "/" + s.batchesPerEpoch()).containsExactly("0/0/2", "0/1/2");
        assertThat(steps).allSatisfy(s -> assertThat(s.learningRate()).isPositive());
        String[] train = Files.readAllLines(results.resolve("train.log")).get(1).split("\t");
        String[] val = Files.readAllLines(results.resolve("val.log")).get(1).split("\t");
        assertThat(epochs).singleElement().satisfies(e -> {
            assertThat(e.epoch()).as("from 0, as StepMetrics").isZero();
            assertThat(e.epochsDone()).isEqualTo(Integer.parseInt(train[0]));
            assertThat(e.trainLoss()).isCloseTo(Double.parseDouble(train[1]), within(5e-5));
            assertThat(e.trainAcc1()).isCloseTo(Double.parseDouble(train[2]), within(0.006));
            assertThat(e.valAcc1()).isCloseTo(Double.parseDouble(val[2]), within(0.006));
        });
        try (Classifier c = Classifier.load(results)) {
            assertThat(c.labels()).contains("Ankle boot");
        }
        Path out = dir.resolve("gradnorm");
        Cli.Result r = Cli.run("gradnorm", "-a", "lenoresnet", "--model_depth", "50", "--n_classes", "10", "--image-size", "24",
                "-b", "2", "--seed", "1", "--weights", results.resolve("model_best.pth.tar").toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> csv = Files.readAllLines(out.resolve("lenoresnet50.csv"));
        double[] trained = GradientNormRatios.ofModel(results, new GradientNormRatios.Settings(24, 2, 1, 1)).ratios();
        for (int i = 0; i < trained.length; i++) {
            double expected = Double.parseDouble(csv.get(i + 1).split(",")[5]);
            assertThat(trained[i]).as("block " + (i + 1)).isCloseTo(expected, within(1e-6 * expected));
        }
    }

    @Test
    void aListenerStopsTheRunWithAResumableCheckpoint() {
        Path results = dir.resolve("stopped");
        Training.Outcome outcome = Training.fromArgs(tiny(results, "2")).listener(new TrainingListener() {
            @Override
            public boolean onStep(StepMetrics m) {
                return false;
            }
        }).run();
        assertThat(outcome.stopped()).isTrue();
        assertThat(outcome.message()).startsWith("stopped by Training.stop() after batch 1 of epoch 0");
        Map<?, ?> checkpoint = (Map<?, ?>) WeightFiles.readObject(results.resolve("checkpoint.pth.tar"));
        assertThat(((Map<?, ?>) checkpoint.get("leno")).get("mid_epoch")).isNotNull();
        assertThat(checkpoint.get("model_card")).isNotNull();
    }

    @Test
    void badFlagsAndFailingListenersAreOneLine() {
        assertThatThrownBy(() -> Training.fromArgs("--bogus")).isInstanceOf(LenoException.class)
                .hasMessageContaining("--bogus").satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        Training failing = Training.fromArgs(tiny(dir.resolve("failing"), "1")).listener(new TrainingListener() {
            @Override
            public boolean onStep(StepMetrics m) {
                throw new IllegalStateException("listener bug");
            }
        });
        assertThatThrownBy(failing::run).isInstanceOf(LenoException.class)
                .hasMessage("the training listener failed: java.lang.IllegalStateException: listener bug");
    }

    @Test
    void theRatiosAreLenoGradnorms() throws IOException {
        Path out = dir.resolve("gradnorm");
        Cli.Result r = Cli.run("gradnorm", "-a", "lenoresnet", "--model_depth", "50", "--n_classes", "10", "--image-size", "32",
                "-b", "2", "--seed", "5", "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> csv = Files.readAllLines(out.resolve("lenoresnet50.csv"));
        GradientNormRatios api = GradientNormRatios.atInitialization("lenoresnet", 50, 10,
                new GradientNormRatios.Settings(32, 2, 1, 5));
        assertThat(api.model()).isEqualTo("lenoresnet50");
        assertThat(api.blocks()).isEqualTo(16).isEqualTo(csv.size() - 1);
        assertThat(api.transitionBlocks()).containsExactly(1, 4, 8, 14);
        for (int i = 0; i < api.blocks(); i++) {
            double expected = Double.parseDouble(csv.get(i + 1).split(",")[5]);
            assertThat(api.ratios()[i]).as("block " + (i + 1)).isCloseTo(expected, within(1e-6 * expected));
        }
        assertThatThrownBy(() -> GradientNormRatios.atInitialization("vgg", 50, 10, GradientNormRatios.Settings.defaults()))
                .isInstanceOf(LenoException.class).hasMessage("unknown arch 'vgg'; valid: resnet, preactresnet, lenoresnet");
        assertThatThrownBy(() -> new GradientNormRatios.Settings(0, 1, 1, 0)).isInstanceOf(LenoException.class);
    }
}
