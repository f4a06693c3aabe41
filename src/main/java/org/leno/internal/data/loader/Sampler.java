package org.leno.internal.data.loader;

/**
 * Which samples a process reads in an epoch, in which order; a function of (seed, epoch) only, so
 * every rank agrees and a resumed run reads the same order.
 */
public interface Sampler {
    /** Samples this rank reads per epoch. */
    int perRank();

    /** This rank's sample indices of {@code epoch}, in order. */
    int[] indices(int epoch);

    /** The position of this rank's {@code position}-th sample in the global list (what seeds its augmentation). */
    long globalPosition(int position);

    /** True for positions that only repeat samples to pad the ranks to equal length. */
    boolean isPadding(int position);
}
