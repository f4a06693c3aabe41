package org.leno.internal.cli;

import org.leno.internal.nn.Natives;
import picocli.CommandLine.Option;

/** {@code --threads}: libtorch's intra-op threads, for every command that computes on the CPU outside training. */
final class ThreadsOption {
    @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (default: all cores).")
    int threads;

    /** Loads the natives and sets the threads (all cores for 0). */
    void apply() {
        Natives.threads(threads);
    }
}
