package org.leno.internal.data.loader;

/**
 * torchvision's RASampler (references/classification/sampler.py, from DeiT): repeated augmentation.
 * The epoch's order (EpochSampler's permutation of (seed, epoch)) with each index repeated
 * {@code repetitions} times in a row, padded from its head to a multiple of the world size; rank r
 * takes entries r, r + world, ...; each rank then keeps only its first floor(n / 256) * 256 / world,
 * so an epoch has about as many steps as without repetition. The copies of an image sit at different
 * global positions, so each gets its own augmentation, and mostly on different ranks.
 */
public record RASampler(int datasetSize, boolean shuffle, long seed, int rank, int worldSize, int repetitions)
        implements Sampler {

    public RASampler {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is not in a world of size " + worldSize);
        }
        if (repetitions < 1) {
            throw new IllegalArgumentException("--ra-reps must be at least 1, got " + repetitions);
        }
        if (selected(datasetSize, worldSize) < 1) {
            throw new IllegalArgumentException("--ra-sampler keeps floor(N / 256) * 256 / world images per rank, "
                    + "which is none for " + datasetSize + " training images on " + worldSize + " rank(s)");
        }
    }

    private static int selected(int datasetSize, int worldSize) {
        return datasetSize / 256 * 256 / worldSize;
    }

    /** torchvision's num_samples: each rank's share of the repeated, padded list before truncation. */
    public int samplesBeforeTruncation() {
        return (int) (((long) datasetSize * repetitions + worldSize - 1) / worldSize);
    }

    @Override
    public int perRank() {
        return selected(datasetSize, worldSize);
    }

    @Override
    public int[] indices(int epoch) {
        int[] order = EpochSampler.permutation(datasetSize, shuffle, seed, epoch);
        return take(order, perRank());
    }

    /** This rank's first {@code count} entries of the repeated, padded list (all: samplesBeforeTruncation()). */
    int[] take(int[] order, int count) {
        long repeated = (long) datasetSize * repetitions;
        int[] mine = new int[count];
        for (int k = 0; k < count; k++) {
            long g = globalPosition(k) % repeated;
            mine[k] = order[(int) (g / repetitions)];
        }
        return mine;
    }

    /** Before truncation: every entry of this rank (to check torchvision's structure). */
    int[] untruncatedIndices(int epoch) {
        return take(EpochSampler.permutation(datasetSize, shuffle, seed, epoch), samplesBeforeTruncation());
    }

    @Override
    public long globalPosition(int position) {
        return rank + (long) position * worldSize;
    }

    @Override
    public boolean isPadding(int position) {
        return globalPosition(position) >= (long) datasetSize * repetitions;
    }
}
