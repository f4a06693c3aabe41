package org.leno.internal.data.datasets;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Issue 11, item 9: --train-samples/--val-samples keep every class. */
class SubsetTest {
    private static int[] counts(ImageSource s, int classes) {
        int[] c = new int[classes];
        for (int i = 0; i < s.size(); i++) {
            c[s.label(i)]++;
        }
        return c;
    }

    @Test
    void subsetsOfTheEmbeddedDataCoverAllTenClassesEqually() {
        GreyImages train = FashionMnist.embedded("train");
        GreyImages val = FashionMnist.embedded("val");
        assertThat(train.label(0)).isZero(); // labels cycle 0-9, which an even step of 30 or 10 hit as one class
        assertThat(train.label(1)).isEqualTo(1);
        assertThat(counts(new Subset(train, 200), 10)).containsOnly(20);
        assertThat(counts(new Subset(val, 100), 10)).containsOnly(10);
        int[] odd = counts(new Subset(train, 205), 10);
        assertThat(odd).containsOnly(20, 21);
        assertThat(odd[0]).isEqualTo(21); // largest remainders tie: lower classes first
    }

    @Test
    void aSubsetIsDistinctSortedSamplesAndTheSameEveryTime() {
        GreyImages train = FashionMnist.embedded("train");
        Subset a = new Subset(train, 333);
        Subset b = new Subset(train, 333);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < a.size(); i++) {
            assertThat(a.describe(i)).isEqualTo(b.describe(i));
            assertThat(seen.add(a.describe(i))).isTrue();
        }
        assertThat(a.size()).isEqualTo(333);
    }

    @Test
    void unequalClassesKeepTheirShares() {
        assertThat(Subset.apportion(new int[] {5, 7, 9}, 7, 21)).containsExactly(2, 2, 3);
        assertThat(Subset.apportion(new int[] {1, 100}, 50, 101)).containsExactly(0, 50);
        assertThat(Subset.apportion(new int[] {3, 3}, 6, 6)).containsExactly(3, 3);
    }
}
