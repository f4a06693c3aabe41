package org.leno.train;

import java.util.Arrays;

/**
 * MultiStepLR as a function of the epoch: the base rate times {@code gamma} for each milestone
 * reached. The reference steps its scheduler at the start of every epoch, so each decay comes one
 * epoch early; {@code referenceCompat} reproduces that. Being a function of the epoch alone, the
 * schedule cannot decay twice on resume (the reference's defect 3).
 */
public record LrSchedule(double base, int[] milestones, double gamma, boolean referenceCompat) {
    public LrSchedule {
        milestones = milestones.clone();
        Arrays.sort(milestones);
    }

    public double lr(int epoch) {
        int e = referenceCompat ? epoch + 1 : epoch;
        int reached = 0;
        for (int m : milestones) {
            if (m <= e) {
                reached++;
            }
        }
        return base * Math.pow(gamma, reached);
    }

    @Override
    public int[] milestones() { return milestones.clone(); }
}
