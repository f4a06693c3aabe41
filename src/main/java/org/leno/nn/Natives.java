package org.leno.nn;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.pytorch.global.torch;

/** Loading libtorch and setting its process-wide knobs. */
public final class Natives {
    private Natives() {
    }

    /** Loads libtorch (unpacking it into ~/.javacpp/cache on first use). */
    public static void load() {
        Loader.load(torch.class);
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
