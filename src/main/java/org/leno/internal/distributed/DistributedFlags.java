package org.leno.internal.distributed;

import java.util.Locale;
import java.util.Map;
import org.leno.internal.config.Flag;
import org.leno.internal.config.FlagGroup;
import org.leno.internal.nn.Natives;

/** `leno train`'s distributed flags, the reference's and ours; {@link #resolve} gives this process's rendezvous. */
@FlagGroup(heading = "Distributed")
public record DistributedFlags(
        @Flag(names = {"--world-size", "--world_size"}, value = "-1",
                description = "Number of nodes (processes, without --multiprocessing-distributed).")
        int worldSize,
        @Flag(names = "--rank", value = "-1", description = "Node rank.")
        int rank,
        @Flag(names = {"--dist-url", "--dist_url"}, value = "tcp://224.66.41.62:23456",
                description = "Rendezvous: tcp://HOST:PORT or env:// (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK).")
        String distUrl,
        @Flag(names = {"--dist-backend", "--dist_backend"}, value = "gloo",
                description = "gloo (CPU) or nccl (the GPU build, one CUDA device per process).")
        String backend,
        @Flag(names = {"--dist-timeout", "--dist_timeout"}, value = "1800", paramLabel = "SECONDS",
                description = "How long the rendezvous and each collective may wait for a peer.")
        int timeout,
        @Flag(names = "--ddp", value = "reducer", paramLabel = "reducer|coalesced",
                description = "Gradient averaging: the native DDP reducer (buckets overlapped with backward) or one "
                        + "coalesced allreduce after backward.")
        GradientSync.Mode ddp,
        @Flag(names = {"--ddp-comm", "--ddp_comm"}, value = "none", paramLabel = "none|fp16|bf16",
                description = "Compress the DDP reducer's gradient buckets to this type for the allreduce and back "
                        + "(DDP's fp16_compress_hook / bf16_compress_hook); none sends fp32.")
        GradientSync.Compression ddpComm,
        @Flag(names = {"--sync-bn", "--sync_bn"}, value = "false",
                description = "SyncBatchNorm: batch statistics over all processes (per-channel counts, means and "
                        + "variances all-reduced, forward and backward), as torch.nn.SyncBatchNorm.")
        boolean syncBn,
        @Flag(names = {"--multiprocessing-distributed", "--multiprocessing_distributed"}, value = "false",
                description = "Start --nproc-per-node worker processes on this node, multiply --world-size by it and "
                        + "divide --batch-size, --workers and --threads among them; stop all when one fails.")
        boolean multiprocessingDistributed,
        @Flag(names = {"--nproc-per-node", "--nproc_per_node"}, value = "1",
                description = "Worker processes per node with --multiprocessing-distributed.")
        int nprocPerNode,
        @Flag(names = {"--max-restarts", "--max_restarts"}, value = "0", paramLabel = "N",
                description = "With --multiprocessing-distributed: when a worker dies, stop the others and restart "
                        + "all from the latest checkpoint (--resume auto), up to N times, as torchrun's elastic agent.")
        int maxRestarts,
        @Flag(names = "--spawned-worker", value = "false", hidden = true, recorded = false,
                description = "Set by --multiprocessing-distributed in its workers.")
        boolean spawnedWorker) {

    public DistributedFlags {
        backend = backend.toLowerCase(Locale.ROOT);
        if (maxRestarts < 0) {
            throw new IllegalArgumentException("--max-restarts must not be negative, got " + maxRestarts);
        }
        if (nprocPerNode < 1) {
            throw new IllegalArgumentException("--nproc-per-node must be at least 1, got " + nprocPerNode);
        }
        if (ddpComm == GradientSync.Compression.BF16) {
            throw new IllegalArgumentException("--ddp-comm bf16 is not available: Gloo has no bfloat16 allreduce and "
                    + "this build has no bf16 hook for NCCL; use --ddp-comm fp16");
        }
        if (ddpComm != GradientSync.Compression.NONE && ddp == GradientSync.Mode.COALESCED) {
            throw new IllegalArgumentException("--ddp-comm " + ddpComm + " compresses the reducer's buckets: it "
                    + "needs --ddp reducer");
        }
    }

    /** Whether gradients and the model's tensors go through NCCL. */
    public boolean nccl() {
        return backend.equals("nccl");
    }

    /** Whether this process is one of several (from the flags, or from WORLD_SIZE under env://). */
    public boolean enabled() {
        return enabled(System.getenv());
    }

    public boolean enabled(Map<String, String> env) {
        if (worldSize > 1) {
            return true;
        }
        String world = env.get("WORLD_SIZE");
        return distUrl.equals("env://") && world != null && world.matches("\\d+") && Integer.parseInt(world) > 1;
    }

    /**
     * Without --gpu, this process's CUDA device (-1 for the CPU): with the nccl backend under env://
     * the LOCAL_RANK that torchrun sets. nccl without it is a one-line error (in a CUDA build).
     */
    public int localCudaDevice(Map<String, String> env) {
        if (!nccl() || !enabled(env)) {
            return -1;
        }
        String local = env.get("LOCAL_RANK");
        if (distUrl.equals("env://") && local != null && local.matches("\\d+")) {
            return Integer.parseInt(local);
        }
        if (!Natives.cudaBuild()) {
            return -1; // the group refuses nccl in one line, naming the CPU build
        }
        throw new IllegalArgumentException("--dist-backend nccl needs one CUDA device per process: --gpu N, "
                + "--multiprocessing-distributed (device = local rank), or LOCAL_RANK with --dist-url env://");
    }

    /** The rendezvous of this process, or null when it trains alone. */
    public DistConfig resolve(Map<String, String> env) {
        if (!enabled(env)) {
            if (rank > 0) {
                throw new IllegalArgumentException("--rank " + rank + " needs --world-size greater than 1");
            }
            return null;
        }
        return DistConfig.of(distUrl, worldSize, rank, backend, timeout, env);
    }
}
