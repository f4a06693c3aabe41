package org.leno.internal.nn;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.bytedeco.pytorch.global.torch;

/** Loading libtorch and setting its process-wide knobs. */
public final class Natives {
    private Natives() {
    }

    /**
     * Loads libtorch (unpacking it into ~/.javacpp/cache on first use) and makes OpenBLAS, which
     * libtorch uses for matrix products, single-threaded: its own pthread pool busy-waits between
     * calls and competes with libtorch's OpenMP threads for the cores (measured: LeNo-50 at 28x28
     * on 2 cores, 234 -> 327 images/s; docs/performance.md). libtorch parallelises around it.
     */
    public static void load() {
        Loaded.done();
    }

    /**
     * Unpacks libtorch and OpenBLAS into the JavaCPP cache without loading them; {@link #load()} does this
     * first. Entry points call it before anything can touch a libtorch class, whose static initialiser
     * would load libtorch by JavaCPP's own order (see {@link NativeCache}).
     */
    public static void unpack() {
        Unpacked.done();
    }

    /** Unpacked once per process, by the JVM, on first use (later calls only check that it happened). */
    private static final class Unpacked {
        static {
            NativeCache.unpack(openblas_nolapack.class, "openblas");
            NativeCache.unpack(torch.class, "pytorch");
        }

        static void done() {
        }
    }

    /** Initialised once per process, by the JVM, on first use. */
    private static final class Loaded {
        static {
            unpack();
            Loader.load(torch.class);
            openblas_nolapack.blas_set_num_threads(1);
        }

        static void done() {
        }
    }

    /**
     * Whether this is the GPU build (libtorch compiled for CUDA, with NCCL: `LENO_GPU=1 ./leno`), told
     * from the class path without loading anything: the CUDA-only classes of the presets abort the JVM
     * when loaded against the CPU natives.
     */
    public static boolean cudaBuild() {
        String platform = Loader.getPlatform();
        return torch.class.getResource("/org/bytedeco/pytorch/" + platform + "-gpu/libjnitorch.so") != null;
    }

    /** Whether CUDA tensors (and pinned host memory) can be made: the GPU build with at least one device. */
    public static boolean cudaAvailable() {
        if (!cudaBuild()) {
            return false;
        }
        load();
        return torch.cuda_is_available();
    }

    /** Sets libtorch's intra-op thread count; 0 or less means all cores. */
    public static void threads(int n) {
        load();
        torch.set_num_threads(n > 0 ? n : Runtime.getRuntime().availableProcessors());
    }

    public static void seed(long seed) {
        load();
        torch.manual_seed(seed);
    }
}
