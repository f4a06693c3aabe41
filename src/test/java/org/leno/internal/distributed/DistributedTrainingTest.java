package org.leno.internal.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.ChildJvm;

/** Two ranks of `leno train` as separate JVMs on 127.0.0.1, Gloo backend, bounded in time. */
class DistributedTrainingTest {
    static final String[] SMALL = {"--train-samples", "64", "--val-samples", "71", "-b", "16", "--seed", "5",
            "--lr", "0.02", "-p", "1", "--workers", "1", "--threads", "1", "--dist-timeout", "30"};

    record Rank(Process process, Path log) {
        String output() throws IOException {
            return Files.readString(log);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static Rank start(Path dir, String name, String... args) throws IOException {
        List<String> cmd = new ArrayList<>(ChildJvm.command("--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "org.leno.internal.cli.Main"));
        cmd.addAll(Arrays.asList(args));
        Path log = dir.resolve(name + ".log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Rank(p, log);
    }

    static List<String> train(Path results, int port, int rank, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--result_path", results.toString(), "--world-size", "2",
                "--rank", String.valueOf(rank), "--dist-url", "tcp://127.0.0.1:" + port, "--dist-backend", "gloo"));
        args.addAll(Arrays.asList(SMALL));
        args.addAll(Arrays.asList(extra));
        return args;
    }

    static String crc(String output) {
        return output.lines().filter(l -> l.contains("(crc32 ")).map(l -> l.replaceAll(".*crc32 ([0-9a-f]+).*", "$1"))
                .findFirst().orElse("");
    }

    static String acc(String output) {
        return output.lines().filter(l -> l.startsWith(" * Acc@1")).reduce((a, b) -> b).orElse("none");
    }

    @Test
    void twoRanksStayInSyncReportTheSameValidationAndOnlyRankZeroWrites(@TempDir Path dir) throws Exception {
        int port = freePort();
        Rank r0 = start(dir, "rank0", train(dir.resolve("results"), port, 0, "--epochs", "1").toArray(String[]::new));
        Rank r1 = start(dir, "rank1", train(dir.resolve("results1"), port, 1, "--epochs", "1").toArray(String[]::new));
        assertThat(r0.process().waitFor(240, TimeUnit.SECONDS)).isTrue();
        assertThat(r1.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(r0.process().exitValue()).as(r0.output()).isZero();
        assertThat(r1.process().exitValue()).as(r1.output()).isZero();
        assertThat(r0.output()).contains("=> parameters identical on all 2 ranks");
        assertThat(r1.output()).contains("=> parameters identical on all 2 ranks");
        assertThat(acc(r0.output())).isEqualTo(acc(r1.output())).isNotEqualTo("none");
        assertThat(dir.resolve("results/checkpoint.pth.tar")).exists();
        assertThat(dir.resolve("results/train.log")).exists();
        assertThat(dir.resolve("results1")).doesNotExist();

        // the coalesced fallback gives bit-identical parameters (same crc32 of every parameter byte)
        int portC = freePort();
        Rank c0 = start(dir, "c0", train(dir.resolve("coalesced"), portC, 0, "--epochs", "1", "--ddp", "coalesced")
                .toArray(String[]::new));
        Rank c1 = start(dir, "c1", train(dir.resolve("coalesced1"), portC, 1, "--epochs", "1", "--ddp", "coalesced")
                .toArray(String[]::new));
        assertThat(c0.process().waitFor(240, TimeUnit.SECONDS)).isTrue();
        assertThat(c1.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(c0.process().exitValue()).as(c0.output()).isZero();
        assertThat(crc(c0.output())).isEqualTo(crc(r0.output())).isNotEmpty();

        // sharded validation of those weights equals one process validating everything (71 images: one pads)
        String ckpt = dir.resolve("results/checkpoint.pth.tar").toString();
        int port2 = freePort();
        Rank e0 = start(dir, "eval0", train(dir.resolve("e"), port2, 0, "-e", "--resume", ckpt).toArray(String[]::new));
        Rank e1 = start(dir, "eval1", train(dir.resolve("e"), port2, 1, "-e", "--resume", ckpt).toArray(String[]::new));
        List<String> single = new ArrayList<>(List.of("train", "-e", "--resume", ckpt));
        single.addAll(Arrays.asList(SMALL));
        Rank one = start(dir, "single", single.toArray(String[]::new));
        for (Rank r : List.of(e0, e1, one)) {
            assertThat(r.process().waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(r.process().exitValue()).as(r.output()).isZero();
        }
        assertThat(acc(e0.output())).isEqualTo(acc(one.output())).isEqualTo(acc(e1.output()));
    }

    @Test
    void killingOneRankMakesTheOtherExitNonZeroWithinTheTimeout(@TempDir Path dir) throws Exception {
        int port = freePort();
        Rank r0 = start(dir, "rank0", train(dir.resolve("results"), port, 0, "--epochs", "50").toArray(String[]::new));
        Rank r1 = start(dir, "rank1", train(dir.resolve("results1"), port, 1, "--epochs", "50").toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!r1.output().contains("Epoch: [0][1/") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(r1.output()).contains("Epoch: [0][1/");
        r1.process().destroyForcibly();
        assertThat(r0.process().waitFor(60, TimeUnit.SECONDS)).as("rank 0 exits by itself").isTrue();
        assertThat(r0.process().exitValue()).isNotZero();
        assertThat(r0.output()).contains("leno train: error: rank 0: ").contains("a peer died or hung");
    }

    @Test
    void aHangingRankMakesTheOtherExitNonZeroWithinTheTimeout(@TempDir Path dir) throws Exception {
        int port = freePort();
        List<String> a0 = train(dir.resolve("results"), port, 0, "--epochs", "50");
        List<String> a1 = train(dir.resolve("results1"), port, 1, "--epochs", "50");
        a0.set(a0.indexOf("30"), "10");
        a1.set(a1.indexOf("30"), "10");
        Rank r0 = start(dir, "rank0", a0.toArray(String[]::new));
        Rank r1 = start(dir, "rank1", a1.toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (!r1.output().contains("Epoch: [0][1/") && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        assertThat(r1.output()).contains("Epoch: [0][1/");
        new ProcessBuilder("kill", "-STOP", String.valueOf(r1.process().pid())).start().waitFor();
        try {
            long stopped = System.nanoTime();
            assertThat(r0.process().waitFor(90, TimeUnit.SECONDS)).as("rank 0 gives up on the hung peer").isTrue();
            assertThat(r0.process().exitValue()).isNotZero();
            assertThat(r0.output()).contains("leno train: error: rank 0: ").contains("a peer died or hung");
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stopped)).isLessThan(60);
        } finally {
            r1.process().destroyForcibly();
        }
    }

    @Test
    void aPortInUseAndAnUnreachableMasterAreOneLineErrors(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0)) {
            Rank r0 = start(dir, "taken", train(dir.resolve("r"), taken.getLocalPort(), 0, "--epochs", "1")
                    .toArray(String[]::new));
            assertThat(r0.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(r0.process().exitValue()).isEqualTo(1);
            assertThat(r0.output().lines().filter(l -> l.startsWith("leno train:")).toList()).singleElement()
                    .asString().contains("rendezvous at 127.0.0.1:" + taken.getLocalPort() + " failed");
        }
        List<String> args = train(dir.resolve("r2"), freePort(), 1, "--epochs", "1");
        args.set(args.indexOf("30"), "3");
        long start = System.nanoTime();
        Rank alone = start(dir, "alone", args.toArray(String[]::new));
        assertThat(alone.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(alone.process().exitValue()).isEqualTo(1);
        assertThat(alone.output()).contains("is rank 0 running and reachable?");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(40);
    }

    @Test
    void multiprocessingDistributedRunsTwoWorkersThroughAnEpoch(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--multiprocessing-distributed", "--nproc-per-node", "2",
                "--result_path", dir.resolve("results").toString(), "--epochs", "1", "--threads", "2"));
        args.addAll(Arrays.asList(SMALL).subList(0, 10));
        Rank launcher = start(dir, "launcher", args.toArray(String[]::new));
        assertThat(launcher.process().waitFor(240, TimeUnit.SECONDS)).isTrue();
        String out = launcher.output();
        assertThat(launcher.process().exitValue()).as(out).isZero();
        assertThat(out).contains("=> rank 0 of 2 joined").contains("=> rank 1 of 2 joined")
                .contains("=> parameters identical on all 2 ranks");
        // -b 16 over 2 workers: 8 per worker, 32 of the 64 samples each: 4 batches
        assertThat(out).contains("Epoch: [0][0/4]");
        assertThat(Files.readAllLines(dir.resolve("results/train.log"))).hasSize(2);
    }

    @Test
    void aWorkerKilledMidRunIsRestartedWithTheOthersFromTheLatestCheckpoint(@TempDir Path dir) throws Exception {
        List<String> args = new ArrayList<>(List.of("train", "--multiprocessing-distributed", "--nproc-per-node", "2",
                "--result_path", dir.resolve("results").toString(), "--epochs", "3", "--threads", "2", "--max-restarts", "1",
                "--save-every", "2", "-p", "1"));
        args.addAll(Arrays.asList(SMALL).subList(0, 10));
        Rank launcher = start(dir, "launcher", args.toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
        while (!launcher.output().contains("Epoch: [1][2/4]") && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        ProcessHandle worker = launcher.process().toHandle().children().findFirst().orElseThrow();
        worker.destroyForcibly(); // SIGKILL, as the OOM killer would
        assertThat(launcher.process().waitFor(300, TimeUnit.SECONDS)).isTrue();
        String out = launcher.output();
        assertThat(launcher.process().exitValue()).as(out).isZero();
        assertThat(out).contains("failed with exit code 137; stopping the others")
                .contains("restarting the workers from the latest checkpoint (restart 1 of 1)")
                .contains("=> --resume auto: continuing from");
        List<String> log = Files.readAllLines(dir.resolve("results/train.log"));
        assertThat(log).hasSize(4);
        assertThat(log.subList(1, 4).stream().map(l -> l.split("\t")[0]).toList()).containsExactly("1", "2", "3");
        try (var files = Files.list(dir.resolve("results"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".tmp")).toList()).isEmpty();
        }
    }

    @Test
    void theRendezvousStoreListensOnlyOnTheGivenAddress(@TempDir Path dir) throws Exception {
        int port = freePort();
        List<String> args = train(dir.resolve("r"), port, 0, "--epochs", "1");
        args.set(args.indexOf("30"), "8");
        Rank r0 = start(dir, "rank0", args.toArray(String[]::new));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        boolean listening = false;
        while (!listening && System.nanoTime() < deadline) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", port)) {
                listening = true;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        assertThat(listening).as("rank 0 listens on 127.0.0.1").isTrue();
        // 127.0.0.2 is loopback too, but not the address given: nobody listens there
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new java.net.Socket("127.0.0.2", port).close())
                .isInstanceOf(java.net.ConnectException.class);
        assertThat(r0.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(r0.output()).contains("not every rank joined within --dist-timeout 8 s");
    }

    @Test
    void envRendezvousReadsTorchrunsVariables() {
        DistConfig c = DistConfig.of("env://", -1, -1, "gloo", 10,
                java.util.Map.of("MASTER_ADDR", "10.1.2.3", "MASTER_PORT", "29500", "WORLD_SIZE", "4", "RANK", "2"));
        assertThat(c).isEqualTo(new DistConfig("10.1.2.3", 29500, 4, 2, "gloo", 10));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DistConfig.of("env://", -1, -1, "gloo", 10, java.util.Map.of()))
                .hasMessageContaining("MASTER_ADDR");
        // nccl is a valid backend; the CPU build refuses it when the group is formed (GpuPathTest)
        assertThat(DistConfig.of("tcp://h:1", 2, 0, "nccl", 10, java.util.Map.of()).backend()).isEqualTo("nccl");
    }
}
