package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.Cli;

/**
 * What a machine without CUDA can check of the GPU path through `leno train`: the flags that need
 * CUDA are one-line errors naming what is missing, and the device of each rank is chosen as the
 * reference chooses it (--gpu, else LOCAL_RANK under env:// with nccl). These run on the CPU build.
 */
class GpuPathTest {
    static void oneLineError(Cli.Result r, String expected) {
        assertThat(r.exitCode()).as(r.err()).isNotZero();
        assertThat(r.err().strip().lines()).as(r.err()).hasSize(1);
        assertThat(r.err().strip()).startsWith("leno train: error: " + expected);
    }

    @Test
    void ncclAndFp16WithoutCudaAreOneLineErrors(@TempDir Path dir) {
        String results = dir.resolve("r").toString();
        oneLineError(Cli.run("train", "--dummy", "--result_path", results, "--world-size", "2", "--rank", "0",
                "--dist-url", "tcp://127.0.0.1:1", "--dist-backend", "nccl", "--gpu", "0"),
                "--dist-backend nccl: this is the CPU build of leno, which has no NCCL");
        oneLineError(Cli.run("train", "--dummy", "--result_path", results, "--world-size", "2", "--rank", "0",
                "--dist-url", "tcp://127.0.0.1:1", "--dist-backend", "NCCL"),
                "--dist-backend nccl: this is the CPU build of leno, which has no NCCL");
        oneLineError(Cli.run("train", "--dummy", "--result_path", results, "--amp", "fp16"),
                "--amp fp16 needs a CUDA device (--gpu N)");
        oneLineError(Cli.run("train", "--dummy", "--result_path", results, "--amp", "fp16", "--gpu", "0"),
                "--gpu 0: no CUDA device is available: this is the CPU build");
        oneLineError(Cli.run("train", "--dummy", "--result_path", results, "--world-size", "2", "--rank", "0",
                "--dist-url", "tcp://127.0.0.1:1", "--gpu", "0"), "--gpu 0 with distributed training needs --dist-backend nccl");
        oneLineError(Cli.run("train", "--dummy", "--result_path", results, "--ddp-comm", "bf16"),
                "--ddp-comm bf16 is not available");
        oneLineError(Cli.run("train", "--dummy", "--result_path", results, "--ddp-comm", "fp16", "--ddp", "coalesced"),
                "--ddp-comm fp16 compresses the reducer's buckets: it needs --ddp reducer");
    }

    @Test
    void eachRankTakesItsLocalRankAsDevice() {
        TrainConfig env = TrainConfigResolver.parse("--dummy", "--dist-url", "env://", "--dist-backend", "nccl");
        Map<String, String> torchrun = Map.of("MASTER_ADDR", "h", "MASTER_PORT", "1", "WORLD_SIZE", "4", "RANK", "3",
                "LOCAL_RANK", "1");
        assertThat(env.cudaDevice(torchrun)).isEqualTo(1);
        assertThat(TrainConfigResolver.parse("--dummy", "--gpu", "2").cudaDevice(Map.of())).isEqualTo(2);
        assertThat(TrainConfigResolver.parse("--dummy").cudaDevice(torchrun)).isEqualTo(-1);
        // gloo ignores LOCAL_RANK: the CPU
        assertThat(TrainConfigResolver.parse("--dummy", "--dist-url", "env://").cudaDevice(torchrun)).isEqualTo(-1);
    }
}
