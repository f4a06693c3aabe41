package org.leno.internal.distributed;

import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.Backend;
import org.bytedeco.pytorch.PrefixStore;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch_cuda;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;
import org.leno.internal.nn.Natives;

/**
 * c10d's NCCL process group, one CUDA device per rank. Its classes exist only in the GPU natives
 * (loading them against the CPU natives aborts the JVM), so nothing here touches them before
 * {@link #require} has checked that this is the GPU build and the device exists. This path has
 * never run here (no GPU): it is the bindings' ProcessGroupNCCL as PyTorch's init_process_group
 * builds it, behind a "cuda/" prefix of the shared store as PyTorch's device-keyed backends are.
 */
final class Nccl {
    private Nccl() {
    }

    /** A one-line error unless the NCCL backend can run on CUDA device {@code device}. */
    static void require(int device) {
        if (!Natives.cudaBuild()) {
            throw new IllegalArgumentException("--dist-backend nccl: this is the CPU build of leno, which has no NCCL; "
                    + "on machines with NVIDIA GPUs run the GPU build (LENO_GPU=1 ./leno), else use --dist-backend gloo");
        }
        Natives.load();
        if (!torch.cuda_is_available()) {
            throw new IllegalArgumentException("--dist-backend nccl: no CUDA device is available (the GPU build is "
                    + "loaded, but CUDA finds no device); use --dist-backend gloo on CPUs");
        }
        int count = torch.cuda_device_count();
        if (device < 0 || device >= count) {
            throw new IllegalArgumentException("--dist-backend nccl: this rank's CUDA device " + device
                    + " does not exist (this machine has " + count + ")");
        }
    }

    /** The NCCL backend of this rank on {@code device} (after {@link #require}). */
    static Backend connect(Store store, DistConfig c, int device, Milliseconds timeout) {
        torch_cuda.set_device((byte) device);
        ProcessGroupNCCL.Options options = ProcessGroupNCCL.Options.create();
        options.timeout(timeout);
        try {
            return new ProcessGroupNCCL(new PrefixStore("cuda/", store), c.rank(), c.worldSize(), options);
        } catch (RuntimeException e) {
            throw new DistributedException("rank " + c.rank() + ": cannot form the NCCL group of " + c.worldSize()
                    + " on cuda:" + device + " (" + e.getMessage() + ")", e);
        }
    }
}
