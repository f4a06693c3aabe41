package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.nn.KernelFaults;
import org.leno.internal.nn.KernelGuard;
import org.leno.internal.testing.Cli;

/**
 * The user's commands on a machine whose oneDNN crashes on one convolution and is wrong on another
 * (injected: the checking child really dies, the wrong kernel's output is perturbed): a training
 * run completes on the fallbacks and says so in one line, leno doctor names both faults
 * and a verified path for each, and leno predict answers from that run.
 */
class KernelFaultsRunTest {
    /** Stage one of LeNo-ResNet-50: its 1x1 256->64 convolutions crash, its 3x3 64->64 ones are wrong. */
    private static final KernelFaults FAULTS = KernelFaults.of("1x1:256-64", "3x3:64-64");

    @TempDir
    Path dir;

    @Test
    void trainDoctorAndPredictRunOnVerifiedFallbacks() throws Exception {
        try (AutoCloseable faults = KernelGuard.shared().injecting(FAULTS)) {
            Path run = dir.resolve("run");
            Cli.Result train = Cli.run("train", "--epochs", "1", "--train-samples", "32", "--val-samples", "16", "-b", "16",
                    "--seed", "3", "--train_crop_size", "24", "--val_resize", "28", "--val_crop_size", "24", "--no-progress",
                    "--result_path", run.toString());
            assertThat(train.exitCode()).as(train.err()).isZero();
            assertThat(train.err()).containsPattern("leno: \\d+ of \\d+ kernel configurations of this model crash \\(\\d+\\) "
                    + "or compute wrongly \\(\\d+\\) in libtorch's oneDNN");
            assertThat(run.resolve("checkpoint.pth.tar")).exists();

            Cli.Result doctor = Cli.run("doctor", "-a", "lenoresnet", "--model_depth", "50", "--image-size", "24", "-b", "16");
            assertThat(doctor.exitCode()).as(doctor.err()).isZero();
            assertThat(doctor.out()).contains("CPU ", "oneDNN", "injected", "CRASH (SIGFPE", "WRONG (relative error",
                    "a run takes 1x1 as matmul", "a run takes thnn_conv2d (no oneDNN)");

            Path image = dir.resolve("grey.png");
            ImageIO.write(PredictRunTest.grey(28, 28), "png", image.toFile());
            Cli.Result predict = Cli.run("predict", "--weights", run.toString(), "--json", image.toString());
            assertThat(predict.exitCode()).as(predict.err()).isZero();
            assertThat(PredictRunTest.JSON.readTree(predict.out()).get("topk")).isNotEmpty();
            assertThat(Files.list(dir).filter(p -> p.getFileName().toString().startsWith("hs_err"))).isEmpty();
        }
    }
}
