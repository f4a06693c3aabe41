package org.leno.internal.data.loader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** torchvision's RASampler: its list built as references/classification/sampler.py builds it, against ours. */
class RASamplerTest {

    /** sampler.py's __iter__ over a given permutation, line by line. */
    private static List<Integer> torchvisionIter(int[] perm, int reps, int rank, int replicas) {
        int n = perm.length;
        int numSamples = (int) Math.ceil(n * (double) reps / replicas);
        int totalSize = numSamples * replicas;
        int numSelected = (int) Math.floor(n / 256 * 256 / (double) replicas);
        List<Integer> indices = new ArrayList<>();
        for (int p : perm) {
            for (int r = 0; r < reps; r++) {
                indices.add(p);
            }
        }
        indices.addAll(new ArrayList<>(indices.subList(0, totalSize - indices.size())));
        assertThat(indices).hasSize(totalSize);
        List<Integer> mine = new ArrayList<>();
        for (int k = rank; k < totalSize; k += replicas) {
            mine.add(indices.get(k));
        }
        assertThat(mine).hasSize(numSamples);
        return mine.subList(0, numSelected);
    }

    private static List<Integer> list(int[] a) {
        List<Integer> out = new ArrayList<>();
        for (int v : a) {
            out.add(v);
        }
        return out;
    }

    @Test
    void eachRankReadsTorchvisionsShardOfTheRepeatedList() {
        for (int n : new int[] {256, 600, 1000}) {
            for (int world : new int[] {1, 2, 3}) {
                for (int reps : new int[] {1, 3, 4}) {
                    for (int rank = 0; rank < world; rank++) {
                        RASampler s = new RASampler(n, true, 5, rank, world, reps);
                        int[] perm = EpochSampler.permutation(n, true, 5, 2);
                        assertThat(list(s.indices(2))).as("n %d world %d reps %d rank %d", n, world, reps, rank)
                                .isEqualTo(torchvisionIter(perm, reps, rank, world));
                        assertThat(s.perRank()).isEqualTo(n / 256 * 256 / world);
                    }
                }
            }
        }
    }

    @Test
    void beforeTruncationEveryIndexAppearsRepsTimesOverTheRanksAndRanksSplitTheList() {
        int n = 601;
        int reps = 3;
        int world = 2;
        Map<Integer, Integer> counts = new HashMap<>();
        Set<Long> positions = new HashSet<>();
        int padding = 0;
        for (int rank = 0; rank < world; rank++) {
            RASampler s = new RASampler(n, true, 1, rank, world, reps);
            int[] all = s.untruncatedIndices(0);
            assertThat(all).hasSize((n * reps + world - 1) / world);
            for (int k = 0; k < all.length; k++) {
                assertThat(positions.add(s.globalPosition(k))).as("ranks read disjoint positions").isTrue();
                if (s.isPadding(k)) {
                    padding++;
                } else {
                    counts.merge(all[k], 1, Integer::sum);
                }
            }
        }
        assertThat(counts).hasSize(n);
        assertThat(counts.values()).containsOnly(reps);
        assertThat(padding).isEqualTo(world * ((n * reps + world - 1) / world) - n * reps);
    }

    @Test
    void theOrderIsAFunctionOfSeedAndEpoch() {
        RASampler a = new RASampler(1000, true, 7, 1, 2, 3);
        RASampler b = new RASampler(1000, true, 7, 1, 2, 3);
        assertThat(a.indices(4)).isEqualTo(b.indices(4));
        assertThat(a.indices(5)).isNotEqualTo(a.indices(4));
        assertThat(new RASampler(1000, true, 8, 1, 2, 3).indices(4)).isNotEqualTo(a.indices(4));
        // consecutive copies of an image go to different ranks (reps 3, world 2)
        int[] r0 = new RASampler(1000, true, 7, 0, 2, 3).indices(4);
        int[] r1 = a.indices(4);
        assertThat(r0[0]).isEqualTo(r1[0]);
        assertThat(r0[1]).isEqualTo(r0[0]);
    }

    @Test
    void tooSmallADatasetOrNoRepetitionsIsAOneLineError() {
        assertThatThrownBy(() -> new RASampler(255, true, 0, 0, 1, 3)).hasMessageStartingWith("--ra-sampler keeps")
                .hasMessageContaining("255 training images");
        assertThatThrownBy(() -> new RASampler(1000, true, 0, 0, 1, 0)).hasMessageContaining("--ra-reps");
    }
}
