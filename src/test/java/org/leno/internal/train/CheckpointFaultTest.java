package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.OrderedDict;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.TorchZip;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.testing.ChildJvm;

class CheckpointFaultTest {

    /** Writes ever-new large checkpoints to args[0] until killed. */
    public static final class EndlessWriter {
        public static void main(String[] args) {
            Path target = Path.of(args[0]);
            for (int round = 0; ; round++) {
                float[] values = new float[8 << 20];
                java.util.Arrays.fill(values, round);
                TorchZip.write(target, Map.of("epoch", (long) round,
                        "state_dict", new OrderedDict(Map.of("w", TensorData.ofFloats(new long[] {values.length}, values)))));
            }
        }
    }

    static Process java(Class<?> main, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(ChildJvm.command("-cp", System.getProperty("java.class.path"),
                main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    @Test
    void aProcessKilledWhileSavingLeavesTheLastCheckpointLoadable(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("checkpoint.pth.tar");
        Process p = java(EndlessWriter.class, target.toString());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(target) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(target).exists();
        // kill it at some moment of a later write
        Thread.sleep(700);
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Map<?, ?> back = (Map<?, ?>) WeightFiles.readObject(target);
        long epoch = (Long) back.get("epoch");
        TensorData w = (TensorData) ((Map<?, ?>) back.get("state_dict")).get("w");
        assertThat(w.numel()).isEqualTo(8 << 20);
        assertThat(w.toFloats()[w.toFloats().length - 1]).isEqualTo((float) epoch);
        try (var files = Files.list(dir)) {
            assertThat(files.filter(f -> !f.getFileName().toString().startsWith(".")).toList()).containsExactly(target);
        }
    }

    @Test
    void sigtermFinishesTheStepWritesAResumableCheckpointAndExits143(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("run");
        List<String> args = new java.util.ArrayList<>(List.of("train", "--result_path", results.toString(), "--epochs", "3"));
        args.addAll(List.of(TrainCommandTest.SMALL));
        Process p = java(org.leno.internal.cli.Main.class, args.toArray(String[]::new));
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream()))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (out) {
                        out.append(line).append('\n');
                    }
                }
            } catch (java.io.IOException ignored) {
                // process ended
            }
        });
        reader.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            synchronized (out) {
                if (out.indexOf("Epoch: [0][1/3]") >= 0) {
                    break;
                }
            }
            Thread.sleep(50);
        }
        p.toHandle().destroy(); // SIGTERM, without closing our end of its output as Process.destroy() does
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        assertThat(p.exitValue()).as(out.toString()).isEqualTo(143);
        assertThat(out.toString()).contains("SIGTERM received; finishing the current step")
                .contains("resume with --resume " + results.resolve("checkpoint.pth.tar"));
        Map<?, ?> ckpt = (Map<?, ?>) WeightFiles.readObject(results.resolve("checkpoint.pth.tar"));
        Map<?, ?> mid = (Map<?, ?>) ((Map<?, ?>) ckpt.get("leno")).get("mid_epoch");
        assertThat(mid).isNotNull();
        assertThat((Long) mid.get("batches_done")).isPositive();
    }

    @Test
    void aCheckpointLoadsInAFreshProcess(@TempDir Path dir) throws Exception {
        Path results = dir.resolve("run");
        var r = TrainCommandTest.train(results, "--epochs", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String acc = r.out().lines().filter(l -> l.startsWith(" * Acc@1")).findFirst().orElseThrow();
        Process p = java(org.leno.internal.cli.Main.class, "train", "-e", "--resume", results.resolve("checkpoint.pth.tar").toString(),
                "--val-samples", "64", "-b", "32", "--seed", "7");
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).contains("=> loaded checkpoint").contains(acc);
        assertThat(new File(results.toFile(), "checkpoint.pth.tar")).exists();
    }
}
