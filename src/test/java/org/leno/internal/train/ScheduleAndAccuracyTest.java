package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ScheduleAndAccuracyTest {

    static Map<Double, Integer> epochsPerRate(LrSchedule s, int epochs) {
        Map<Double, Integer> m = new LinkedHashMap<>();
        for (int e = 0; e < epochs; e++) {
            m.merge(Math.round(s.lr(e) * 1e6) / 1e6, 1, Integer::sum);
        }
        return m;
    }

    @Test
    void correctScheduleSpends30_30_20_10EpochsAtTheFourRates() {
        LrSchedule s = LrSchedule.multistep(0.1, new int[] {30, 60, 80}, 0.1, false);
        assertThat(epochsPerRate(s, 90).values()).containsExactly(30, 30, 20, 10);
        assertThat(s.lr(29)).isEqualTo(0.1);
        assertThat(s.lr(30)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void referenceCompatibleScheduleDecaysOneEpochEarly() {
        LrSchedule s = LrSchedule.multistep(0.1, new int[] {30, 60, 80}, 0.1, true);
        assertThat(epochsPerRate(s, 90).values()).containsExactly(29, 30, 20, 11);
        assertThat(s.lr(28)).isEqualTo(0.1);
        assertThat(s.lr(29)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void resumingAtAMilestoneDecaysOnce() {
        // a run resumed at epoch 30 builds a new schedule: the rate is that of epoch 30, decayed once
        LrSchedule resumed = LrSchedule.multistep(0.1, new int[] {30, 60, 80}, 0.1, false);
        assertThat(resumed.lr(30)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(resumed.lr(31)).isCloseTo(0.01, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void topKCountsHandComputedCasesWithTies() {
        // 4 samples, 6 classes
        float[] logits = {
            5, 4, 3, 2, 1, 0,     // target 0: rank 0
            1, 1, 1, 1, 1, 1,     // target 5, all tied: ties go to lower indices, rank 5 -> miss at 5
            1, 1, 1, 1, 1, 1,     // target 4, all tied: rank 4 -> hit at 5, miss at 1
            0, 9, 9, 3, 9, 9,     // target 2 tied with 1, 4, 5 at the top: rank 1 (only class 1 before it)
        };
        long[] targets = {0, 5, 4, 2};
        int[] hits = Accuracy.hits(logits, targets, 6, 1, 5);
        assertThat(hits).containsExactly(1, 3);
        // NaN logits never rank above a real one, a NaN target ranks below all
        float[] nan = {Float.NaN, 1, 2};
        assertThat(Accuracy.hits(nan, new long[] {2}, 3, 1)).containsExactly(1);
        assertThat(Accuracy.hits(nan, new long[] {0}, 3, 1, 2)).containsExactly(0, 0);
    }
}
