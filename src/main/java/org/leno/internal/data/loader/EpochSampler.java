package org.leno.internal.data.loader;

import java.util.SplittableRandom;

/**
 * Which samples a process reads in an epoch, in which order: all of them, or (distributed) the
 * shard {@code rank, rank + world, ...} of a list padded as PyTorch's DistributedSampler pads it.
 * The permutation depends only on the seed and the epoch, so every rank draws the same one.
 */
public record EpochSampler(int datasetSize, boolean shuffle, long seed, int rank, int worldSize) implements Sampler {
    public EpochSampler {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is not in a world of size " + worldSize);
        }
    }

    public static EpochSampler single(int datasetSize, boolean shuffle, long seed) {
        return new EpochSampler(datasetSize, shuffle, seed, 0, 1);
    }

    /** Samples per rank per epoch (after padding). */
    @Override
    public int perRank() {
        return (datasetSize + worldSize - 1) / worldSize;
    }

    @Override
    public int[] indices(int epoch) {
        int[] order = permutation(datasetSize, shuffle, seed, epoch);
        int per = perRank();
        int[] mine = new int[per];
        for (int k = 0; k < per; k++) {
            mine[k] = order[(rank + k * worldSize) % datasetSize];
        }
        return mine;
    }

    /** The epoch's order of all samples: a Fisher-Yates shuffle seeded by (seed, epoch), or 0..n-1. */
    static int[] permutation(int datasetSize, boolean shuffle, long seed, int epoch) {
        int[] order = new int[datasetSize];
        for (int i = 0; i < datasetSize; i++) {
            order[i] = i;
        }
        if (shuffle) {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + epoch);
            for (int i = datasetSize - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }

    /** The position of this rank's {@code position}-th sample in the padded global list (what seeds its augmentation). */
    @Override
    public long globalPosition(int position) {
        return rank + (long) position * worldSize;
    }

    /** True for positions of this rank's list that repeat a sample only to pad the shards to equal length. */
    @Override
    public boolean isPadding(int position) {
        return rank + (long) position * worldSize >= datasetSize;
    }
}
