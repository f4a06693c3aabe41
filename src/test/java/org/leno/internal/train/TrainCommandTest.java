package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.data.datasets.TestImages;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.TorchZip;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.StateDict;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.Fixtures;

/** `leno train` end to end on small slices of the embedded data. */
class TrainCommandTest {
    static final String[] SMALL = {"--train-samples", "96", "--val-samples", "64", "-b", "32", "--seed", "7",
            "--lr", "0.02", "-p", "1", "--workers", "2"};

    static Cli.Result train(Path results, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--result_path", results.toString()));
        args.addAll(Arrays.asList(SMALL));
        args.addAll(Arrays.asList(extra));
        return Cli.run(args.toArray(String[]::new));
    }

    @Test
    void oneEpochWritesEveryFileWithTheReferenceHeadersAndFormats(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("run");
        Cli.Result r = train(results, "--epochs", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("=> training lenoresnet50 on the embedded Fashion-MNIST subset")
                .containsPattern("Epoch: \\[0\\]\\[0/3\\]\tTime +[0-9.]+ \\( *[0-9.]+\\)\tData +[0-9.]+ \\( *[0-9.]+\\)\tLoss [0-9.]+e[+-]\\d+ \\([0-9.]+e[+-]\\d+\\)\tAcc@1 +[0-9.]+ \\( *[0-9.]+\\)\tAcc@5")
                .containsPattern("Test: \\[0/2\\]")
                .containsPattern(" \\* Acc@1 \\d+\\.\\d{3} Acc@5 \\d+\\.\\d{3}");
        List<String> train = Files.readAllLines(results.resolve("train.log"));
        assertThat(train.get(0)).isEqualTo("epoch\tloss\tacc1\tacc5\tlr");
        assertThat(train.get(1)).matches("1\t\\d+\\.\\d{4}\t\\d+\\.\\d{2}\t\\d+\\.\\d{2}\t0\\.020000");
        List<String> val = Files.readAllLines(results.resolve("val.log"));
        assertThat(val.get(0)).isEqualTo("epoch\tloss\tacc1\tacc5");
        assertThat(val.get(1)).matches("1\t\\d+\\.\\d{4}\t\\d+\\.\\d{2}\t\\d+\\.\\d{2}");
        JsonNode args = new ObjectMapper().readTree(results.resolve("args.json").toFile());
        assertThat(args.get("arch").asText()).isEqualTo("lenoresnet");
        assertThat(args.get("model_depth").asInt()).isEqualTo(50);
        assertThat(args.get("seed").asLong()).isEqualTo(7);
        Map<?, ?> ckpt = (Map<?, ?>) WeightFiles.readObject(results.resolve("checkpoint.pth.tar"));
        assertThat(ckpt.keySet().stream().map(String::valueOf).toList()).contains("epoch", "arch", "state_dict", "best_acc1", "val_acc1", "optimizer", "lr_scheduler", "rng");
        assertThat(ckpt.get("epoch")).isEqualTo(1L);
        assertThat(ckpt.get("arch")).isEqualTo("lenoresnet");
        assertThat(ckpt.get("best_acc1")).isInstanceOf(TensorData.class);
        Map<?, ?> optimizer = (Map<?, ?>) ckpt.get("optimizer");
        assertThat(((Map<?, ?>) optimizer.get("state"))).hasSize(162);
        assertThat(results.resolve("model_best.pth.tar")).exists();
        assertThat(WeightFiles.readStateDict(results.resolve("model_best.pth.tar")).stateDict()).hasSize(321);
    }

    @Test
    void trackedGradientNormsAndPlotsAreWritten(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("run");
        Cli.Result r = train(results, "--epochs", "1", "--track-gradnorm", "2");
        assertThat(r.exitCode()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(results.resolve("gradnorm.tsv"));
        assertThat(lines.get(0)).isEqualTo("iteration\tepoch\tblock\tratio");
        assertThat(lines).hasSize(1 + 2 * 16); // iterations 0 and 2 of 3, 16 blocks each
        assertThat(lines.get(1)).startsWith("0\t0\t1\t");
        assertThat(lines.get(17)).startsWith("2\t0\t1\t");
        Cli.Result plot = Cli.run("plot", results.toString());
        assertThat(plot.exitCode()).as(plot.err()).isZero();
        for (String png : new String[] {"curves.png", "gradnorm_evolution.png"}) {
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(results.resolve(png).toFile());
            assertThat(image.getWidth()).isEqualTo(org.leno.internal.analysis.Charts.WIDTH);
        }
        assertThat(Cli.run("plot", dir.resolve("nothing").toString()).err()).contains("no train.log or val.log");
    }

    @Test
    void twoEpochsInOneRunEqualOneEpochPlusResumeByteForByte(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        assertThat(train(straight, "--epochs", "2", "--lr_steps", "1").exitCode()).isZero();
        Path split = dir.resolve("split");
        assertThat(train(split, "--epochs", "1", "--lr_steps", "1").exitCode()).isZero();
        Cli.Result resumed = train(split, "--epochs", "2", "--lr_steps", "1", "--resume",
                split.resolve("checkpoint.pth.tar").toString());
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("=> loaded checkpoint");
        assertThat(Files.readString(split.resolve("train.log"))).isEqualTo(Files.readString(straight.resolve("train.log")));
        assertThat(Files.readString(split.resolve("val.log"))).isEqualTo(Files.readString(straight.resolve("val.log")));
        assertThat(Files.readAllLines(split.resolve("train.log")).get(2)).endsWith("\t0.002000");
        assertThat(split.resolve("resume_args.json")).exists();
    }

    @Test
    void aStopRequestMidEpochWritesAResumableCheckpointThatResumesExactly(@TempDir Path dir) throws Exception {
        Path straight = dir.resolve("straight");
        assertThat(train(straight, "--epochs", "1").exitCode()).isZero();
        Path stopped = dir.resolve("stopped");
        TrainCommandAccess.stopAfterLine(stopped, "Epoch: [0][1/3]", SMALL);
        Map<?, ?> ckpt = (Map<?, ?>) WeightFiles.readObject(stopped.resolve("checkpoint.pth.tar"));
        assertThat(((Map<?, ?>) ((Map<?, ?>) ckpt.get("leno")).get("mid_epoch")).get("batches_done")).isEqualTo(2L);
        assertThat(stopped.resolve("train.log")).doesNotExist();
        Cli.Result resumed = train(stopped, "--epochs", "1", "--resume", stopped.resolve("checkpoint.pth.tar").toString());
        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("Epoch: [0][2/3]").doesNotContain("Epoch: [0][0/3]");
        assertThat(Files.readString(stopped.resolve("train.log"))).isEqualTo(Files.readString(straight.resolve("train.log")));
        assertThat(Files.readString(stopped.resolve("val.log"))).isEqualTo(Files.readString(straight.resolve("val.log")));
    }

    @Test
    void evaluateOnAReferenceCheckpointMatchesPyTorch(@TempDir Path dir) throws Exception {
        // a checkpoint laid out as the reference writes it: DataParallel's module. prefix, best_acc1 a tensor
        Path ckpt = dir.resolve("reference.pth.tar");
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 10))) {
            Fixtures.fillDeterministic(net);
            Map<String, TensorData> prefixed = new java.util.LinkedHashMap<>();
            StateDict.toHost(net).forEach((k, v) -> prefixed.put("module." + k, v));
            Map<String, Object> root = new java.util.LinkedHashMap<>();
            root.put("epoch", 90);
            root.put("arch", "lenoresnet");
            root.put("state_dict", new org.leno.internal.interop.OrderedDict(prefixed));
            root.put("best_acc1", TensorData.scalarFloat(76.5f));
            root.put("optimizer", Map.of("state", Map.of(), "param_groups", List.of(Map.of("lr", 0.0001))));
            TorchZip.write(ckpt, root);
        }
        Cli.Result r = Cli.run("train", "-e", "--resume", ckpt.toString(), "--val_resize", "28", "--val_crop_size", "28",
                "-b", "100", "-p", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode expected = Fixtures.json("evaluate_expected.json");
        assertThat(r.out()).contains(String.format(java.util.Locale.ROOT, " * Acc@1 %.3f Acc@5 %.3f",
                expected.get("acc1").asDouble(), expected.get("acc5").asDouble()));
        String last = r.out().lines().filter(l -> l.startsWith("Test: [ 9/10]")).findFirst().orElseThrow();
        double loss = Double.parseDouble(last.replaceAll(".*Loss [0-9.e+-]+ \\(([0-9.e+-]+)\\).*", "$1"));
        assertThat(loss).isCloseTo(expected.get("loss").asDouble(), org.assertj.core.data.Percentage.withPercentage(0.01));
        assertThat(dir.resolve("results")).doesNotExist();
    }

    @Test
    void aNonFiniteLossStopsWithAClearMessageAndKeepsNoBrokenCheckpoint(@TempDir Path dir) {
        Cli.Result r = train(dir.resolve("nan"), "--epochs", "1", "--lr", "1e30");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).matches("leno train: loss is (NaN|Infinity) at epoch 0, batch \\d; stopped without saving \\(the last good checkpoint is none\\)");
        assertThat(dir.resolve("nan/checkpoint.pth.tar")).doesNotExist();
    }

    @Test
    void aFolderWithCorruptImagesTrainsToTheEndAndReportsThem(@TempDir Path dir) throws Exception {
        for (String split : new String[] {"train", "val"}) {
            for (String c : new String[] {"cat", "dog"}) {
                for (int i = 0; i < 4; i++) {
                    TestImages.writeImage(dir.resolve("data").resolve(split).resolve(c)
                            .resolve(i + ".png"), 36, 30, i + c.length() * 10);
                }
            }
        }
        Files.write(dir.resolve("data/train/cat/broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        Files.write(dir.resolve("data/train/dog/empty.png"), new byte[0]);
        Cli.Result r = Cli.run("train", "--data", dir.resolve("data").toString(), "--result_path", dir.resolve("r").toString(),
                "--epochs", "1", "-b", "4", "--train_crop_size", "28", "--val_resize", "32", "--val_crop_size", "28",
                "--seed", "1", "--lr", "0.01");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("skipped 2 unreadable images \\(first: train/(cat/broken.jpg: truncated JPEG|dog/empty.png: empty file)");
        assertThat(Files.readAllLines(dir.resolve("r/train.log"))).hasSize(2);
        Cli.Result strict = Cli.run("train", "--data", dir.resolve("data").toString(), "--result_path",
                dir.resolve("r2").toString(), "--epochs", "1", "-b", "4", "--train_crop_size", "28", "--strict-data");
        assertThat(strict.exitCode()).isEqualTo(1);
        assertThat(strict.err().strip()).startsWith("leno train: error: train/").endsWith("(--strict-data)");
    }

    @Test
    void everyVerbExplainsItsFlags() {
        Cli.Result help = Cli.run("train", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("--result_path", "--model_depth", "--lr_steps", "--zero_init_residual",
                "--lr-schedule-compat", "--resume", "--evaluate", "--dist-url", "Decay one epoch early");
        for (String[] verb : new String[][] {{"info"}, {"predict"}, {"gradnorm"}, {"plot"}, {"bench", "data"}, {"bench", "model"}}) {
            String[] args = java.util.Arrays.copyOf(verb, verb.length + 1);
            args[verb.length] = "--help";
            Cli.Result r = Cli.run(args);
            assertThat(r.exitCode()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("Usage: leno " + String.join(" ", verb));
        }
    }

    @Test
    void badFlagsAndBadPlacesAreOneLineErrors(@TempDir Path dir) throws Exception {
        Cli.Result flag = Cli.run("train", "--epochs", "many");
        assertThat(flag.exitCode()).isEqualTo(2);
        assertThat(flag.err().strip().lines()).hasSize(1);
        Cli.Result data = Cli.run("train", "--data", dir.resolve("nowhere").toString(), "--result_path", dir.resolve("r").toString());
        assertThat(data.exitCode()).isEqualTo(1);
        assertThat(data.err().strip()).isEqualTo("leno train: error: " + dir.resolve("nowhere/val") + ": no such folder");
        Path file = dir.resolve("a-file");
        Files.writeString(file, "x");
        Cli.Result unwritable = Cli.run("train", "--result_path", file.resolve("sub").toString());
        assertThat(unwritable.err().strip()).startsWith("leno train: error: --result_path " + file.resolve("sub") + " is not writable");
        Cli.Result depth = Cli.run("train", "--model_depth", "34");
        assertThat(depth.err().strip()).isEqualTo("leno train: error: no lenoresnet of depth 34; valid depths: 50, 101, 152, 200, 401, 500");
        Cli.Result wrongArch = Cli.run("train", "-a", "resnet", "-e", "--resume", Fixtures.path("reference_checkpoint.pth.tar").toString());
        assertThat(wrongArch.err().strip()).endsWith("is a 'lenoresnet' checkpoint, not 'resnet'; pass -a lenoresnet");
        Cli.Result gpu = Cli.run("train", "--gpu", "0");
        assertThat(gpu.err().strip()).startsWith("leno train: error: --gpu 0: no CUDA device is available");
    }
}
