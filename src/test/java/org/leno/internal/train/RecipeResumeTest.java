package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.run.RunLayout;
import org.leno.internal.testing.Cli;

/**
 * Exact resume with the whole modern recipe on (AdamW, linear warm-up then cosine stepped per update,
 * label smoothing, clipping, EMA, accumulation over 2 batches, --save-every, TrivialAugmentWide, random
 * erasing, mixup and cutmix): a run that is stopped or
 * killed and resumed writes byte-identical logs (train, val, EMA val, clipped norms) to one that ran
 * straight through. 8 batches of 16 per epoch, 4 updates per epoch, 2 epochs.
 */
class RecipeResumeTest {
    private static final List<String> RECIPE = List.of("--train-samples", "128", "--val-samples", "32", "-b", "16",
            "--seed", "3", "-p", "1", "--workers", "2", "--epochs", "2", "--optimizer", "adamw", "--lr", "0.002",
            "--weight-decay", "0.05", "--norm-weight-decay", "0", "--lr-scheduler", "cosine", "--lr-warmup-epochs", "1",
            "--lr-warmup-method", "linear", "--sched-on-updates", "--label-smoothing", "0.1", "--clip-grad-norm", "1",
            "--model-ema", "--model-ema-steps", "1", "--accum-steps", "2", "--save-every", "4",
            "--train_crop_size", "24", "--val_resize", "28", "--val_crop_size", "24",
            "--auto-augment", "ta_wide", "--random-erase", "0.25", "--mixup-alpha", "0.2", "--cutmix-alpha", "1.0");
    private static final List<String> LOGS = List.of(RunLayout.TRAIN_LOG, RunLayout.VAL_LOG, RunLayout.VAL_EMA_LOG,
            RunLayout.CLIP_NORM);

    @TempDir
    static Path dir;

    @BeforeAll
    static void straightRun() {
        Cli.Result r = run(dir.resolve("straight"), RECIPE, "--report");
        assertThat(r.exitCode()).as(r.err()).isZero();
    }

    static Cli.Result run(Path results, List<String> flags, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--result_path", results.toString()));
        args.addAll(flags);
        args.addAll(List.of(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void theStraightRunWritesEveryLogOfTheRecipe() throws IOException {
        Path straight = dir.resolve("straight");
        assertThat(Files.readAllLines(straight.resolve(RunLayout.TRAIN_LOG))).hasSize(3);
        assertThat(Files.readAllLines(straight.resolve(RunLayout.VAL_EMA_LOG))).hasSize(3);
        // one clipped norm per update: 2 epochs x 4 updates, each before clipping
        assertThat(Files.readAllLines(straight.resolve(RunLayout.CLIP_NORM))).hasSize(1 + 8);
        // --report: the page is rewritten after every epoch (ECharts inlined: over 500 kB), with the last epoch's numbers
        Path page = straight.resolve("report.html");
        assertThat(Files.size(page)).isGreaterThan(500_000);
        String lastVal = Files.readAllLines(straight.resolve(RunLayout.VAL_LOG)).get(2);
        double acc1 = Double.parseDouble(lastVal.split("\t")[2]);
        Object shown = acc1 == Math.rint(acc1) ? (Object) (long) acc1 : (Object) acc1; // as the page's JSON writes it
        assertThat(Files.readString(page)).contains("," + shown + ",");
    }

    @Test
    void aStopMidEpochResumesByteForByte() throws IOException {
        Path stopped = dir.resolve("stopped");
        TrainCommandAccess.stopAtLine(stopped, "Epoch: [1][2/8]", RECIPE); // stops after the update of batches 2-3
        Cli.Result resumed = run(stopped, RECIPE, "--resume", "auto");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("Epoch: [1][4/8]").doesNotContain("Epoch: [1][2/8]");
        assertSameLogs(stopped);
    }

    @Test
    void aKillAfterASaveEveryCheckpointResumesFromItByteForByte() throws IOException {
        Path killed = dir.resolve("killed");
        // the --save-every checkpoint of batch 4 of epoch 1 (global 12) is the last before the kill at batch 6
        TrainCommandAccess.killAtLine(killed, "Epoch: [1][6/8]", RECIPE);
        Cli.Result resumed = run(killed, RECIPE, "--resume", "auto");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("Epoch: [1][4/8]").doesNotContain("Epoch: [1][3/8]");
        assertSameLogs(killed);
    }

    @Test
    void aKillBetweenTheEpochsLogsAndItsCheckpointWritesNoLineTwice() throws IOException {
        Path killed = dir.resolve("between");
        // killed while validating the EMA of epoch 0: train.log has the epoch's line, but the last
        // checkpoint is the --save-every one of batch 4 of epoch 0, so that line is done again
        TrainCommandAccess.killAtLine(killed, "EMA Test: [0/", RECIPE);
        assertThat(Files.readAllLines(killed.resolve(RunLayout.TRAIN_LOG))).hasSize(2);
        Cli.Result resumed = run(killed, RECIPE, "--resume", "auto");
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertSameLogs(killed);
    }

    @Test
    void evaluateAndPredictUseTheCheckpointsWeightAverage() throws IOException {
        Path checkpoint = dir.resolve("straight").resolve(RunLayout.CHECKPOINT);
        Cli.Result e = Cli.run("train", "-e", "--model-ema", "--resume", checkpoint.toString(), "--val-samples", "32",
                "--seed", "3", "-b", "16", "--val_resize", "28", "--val_crop_size", "24");
        assertThat(e.exitCode()).as(e.err()).isZero();
        List<String> emaLog = Files.readAllLines(dir.resolve("straight").resolve(RunLayout.VAL_EMA_LOG));
        double logged = Double.parseDouble(emaLog.get(emaLog.size() - 1).split("\t")[2]);
        String printed = e.out().lines().filter(l -> l.startsWith(" * EMA Acc@1")).findFirst().orElseThrow();
        assertThat(Double.parseDouble(printed.split(" ")[4])).isCloseTo(logged, org.assertj.core.data.Offset.offset(0.006));

        Path image = dir.resolve("one.png");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(28, 28, java.awt.image.BufferedImage.TYPE_BYTE_GRAY),
                "png", image.toFile());
        String[] predict = {"predict", "--model_depth", "50", "--n_classes", "10", "--val_resize", "28", "--val_crop_size", "24", "--weights",
                checkpoint.toString(), "--json", image.toString()};
        Cli.Result plain = Cli.run(predict);
        List<String> withEma = new ArrayList<>(List.of(predict));
        withEma.add(1, "--ema");
        Cli.Result averaged = Cli.run(withEma.toArray(String[]::new));
        assertThat(averaged.exitCode()).as(averaged.err()).isZero();
        assertThat(plain.exitCode()).as(plain.err()).isZero();
        assertThat(averaged.out()).as("the average's logits are not the model's").isNotEqualTo(plain.out());

        Path noEma = dir.resolve("noema.pth.tar");
        Files.copy(dir.resolve("straight").resolve(RunLayout.CHECKPOINT), noEma);
        java.util.Map<Object, Object> root = new java.util.LinkedHashMap<>(
                (java.util.Map<?, ?>) org.leno.internal.interop.WeightFiles.readObject(noEma));
        root.remove("model_ema");
        org.leno.internal.interop.TorchZip.write(noEma, root);
        withEma.set(withEma.indexOf(checkpoint.toString()), noEma.toString());
        Cli.Result missing = Cli.run(withEma.toArray(String[]::new));
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err().strip()).contains(noEma + ": has no model_ema").doesNotContain("\n");
    }

    @Test
    void fineTuningFromACheckpointResetsOnlyAClassifierOfAnotherClassCount() throws IOException {
        Path checkpoint = dir.resolve("straight").resolve(RunLayout.CHECKPOINT);
        Cli.Result tuned = Cli.run("train", "--weights", checkpoint.toString(), "--n_classes", "12", "--epochs", "1",
                "--train-samples", "32", "--val-samples", "16", "-b", "16", "--seed", "3", "--train_crop_size", "24",
                "--val_resize", "28", "--val_crop_size", "24", "--result_path", dir.resolve("tuned").toString());
        assertThat(tuned.exitCode()).as(tuned.err()).isZero();
        assertThat(tuned.out()).contains("=> starting from the weights of '" + checkpoint
                + "'; re-initialised fc.weight, fc.bias (another class count)");
        assertThat(Files.readAllLines(dir.resolve("tuned").resolve(RunLayout.TRAIN_LOG)).get(1)).startsWith("1\t");
        Cli.Result wrong = Cli.run("train", "--weights", checkpoint.toString(), "-a", "resnet", "--epochs", "1",
                "--result_path", dir.resolve("wrong").toString());
        assertThat(wrong.exitCode()).isEqualTo(1);
        assertThat(wrong.err().strip()).isEqualTo("leno train: error: " + checkpoint
                + " is a 'lenoresnet' checkpoint, not 'resnet'; pass -a lenoresnet");
    }

    private static void assertSameLogs(Path run) throws IOException {
        Path straight = dir.resolve("straight");
        for (String log : LOGS) {
            assertThat(Files.readString(run.resolve(log))).as(log).isEqualTo(Files.readString(straight.resolve(log)));
        }
    }
}
