package org.leno.internal.distributed;

import java.util.List;
import org.bytedeco.pytorch.BoolVector;
import org.bytedeco.pytorch.Reducer;
import org.bytedeco.pytorch.SizeTStringMap;
import org.bytedeco.pytorch.SizeTVector;
import org.bytedeco.pytorch.SizeTVectorVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Averages gradients over the ranks of a process group. {@code reducer}: PyTorch DDP's native
 * Reducer, which all-reduces buckets of gradients while backward is still running (buckets of
 * 25 MiB, the first 1 MiB, filled in reverse parameter order as DDP does). {@code coalesced}: one
 * flat allreduce after backward, the simple fallback the tests compare against.
 */
public final class GradientSync {
    /** What gloo says when a peer died (connection closed or reset) or hung (timed out). */
    private static final java.util.regex.Pattern COMMUNICATION_FAILURE =
            java.util.regex.Pattern.compile("(?i)timed out|connection|peer|gloo|socket");

    public enum Mode { REDUCER, COALESCED }

    /**
     * The type gradient buckets travel in: fp32 (none), or compressed as DDP's communication hooks
     * do: divided by the world size, cast to fp16 or bf16, all-reduced, cast back into the bucket.
     */
    public enum Compression {
        NONE, FP16, BF16;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final long BUCKET_BYTES = 25L << 20;
    private static final long FIRST_BUCKET_BYTES = 1L << 20;

    private final RankGroup group;
    private final List<Tensor> params;
    private final Reducer reducer;

    public GradientSync(RankGroup group, List<Tensor> params, Mode mode) {
        this(group, params, mode, Compression.NONE);
    }

    public GradientSync(RankGroup group, List<Tensor> params, Mode mode, Compression compression) {
        this.group = group;
        this.params = List.copyOf(params);
        this.reducer = mode == Mode.REDUCER ? reducer(group, this.params) : null;
        if (compression != Compression.NONE && reducer == null) {
            throw new IllegalArgumentException("--ddp-comm " + compression + " compresses the reducer's buckets: "
                    + "it needs --ddp reducer");
        }
        if (compression == Compression.BF16) {
            // Gloo has no bfloat16 allreduce (PyTorch's bf16_compress_hook needs NCCL too), and the
            // bindings expose only DDP's built-in fp16 hook, not a way to write one in Java
            throw new IllegalArgumentException("--ddp-comm bf16 is not available: Gloo has no bfloat16 allreduce and "
                    + "this build has no bf16 hook for NCCL; use --ddp-comm fp16");
        }
        if (compression == Compression.FP16) {
            // DDP's own fp16_compress_hook, in C++ (FP16CompressCommHook)
            reducer.register_builtin_comm_hook(torch.BuiltinCommHookType.FP16_COMPRESS);
        }
    }

    private static Reducer reducer(RankGroup group, List<Tensor> params) {
        TensorVector vector = new TensorVector();
        BoolVector sparse = new BoolVector();
        for (Tensor p : params) {
            vector.push_back(p);
            sparse.push_back(false);
        }
        SizeTVectorVector buckets = new SizeTVectorVector();
        SizeTVector bucket = new SizeTVector();
        long bytes = 0;
        long cap = FIRST_BUCKET_BYTES;
        for (int i = params.size() - 1; i >= 0; i--) {
            bucket.push_back(i);
            bytes += params.get(i).nbytes();
            if (bytes >= cap) {
                buckets.push_back(bucket);
                bucket = new SizeTVector();
                bytes = 0;
                cap = BUCKET_BYTES;
            }
        }
        if (bucket.size() > 0) {
            buckets.push_back(bucket);
        }
        try {
            Reducer r = new Reducer(vector, buckets, group.c10d(), sparse, BUCKET_BYTES, false, false, new SizeTStringMap(),
                    FIRST_BUCKET_BYTES, false, false);
            // one per run; destroying it after its process group is gone aborts the JVM, so it is never destroyed
            r.deallocate(false);
            return r;
        } catch (RuntimeException e) {
            throw new DistributedException("rank " + group.rank() + ": cannot build the DDP reducer (" + e.getMessage()
                    + "); try --ddp coalesced", e);
        }
    }

    /** Before forward. */
    public void beforeForward() {
        if (reducer != null) {
            reducer.prepare_for_forward();
        }
    }

    /** After forward, before backward: the reducer learns which outputs backward starts from. */
    public void beforeBackward(Tensor output) {
        if (reducer != null) {
            try {
                reducer.prepare_for_backward(new TensorVector(output));
            } catch (RuntimeException e) {
                throw new DistributedException("rank " + group.rank() + ": DDP reducer failed (" + e.getMessage() + ")", e);
            }
        }
    }

    /**
     * Runs backward, during which the DDP reducer all-reduces gradient buckets as they become
     * ready; a peer that died or hung surfaces here as a timeout.
     */
    public void backward(Tensor loss) {
        try {
            loss.backward();
        } catch (RuntimeException e) {
            if (reducer == null || !COMMUNICATION_FAILURE.matcher(String.valueOf(e.getMessage())).find()) {
                throw e;
            }
            throw group.peerFailure("gradient allreduce during backward", e);
        }
    }

    /** After backward: gradients are averaged on return. */
    public void afterBackward() {
        if (reducer == null) {
            group.averageGradients(params);
        }
    }
}
