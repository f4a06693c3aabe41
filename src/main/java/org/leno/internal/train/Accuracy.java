package org.leno.internal.train;

/**
 * Top-k hits counted from logits: a sample is a hit at k when fewer than k classes rank above its
 * target, ranking by logit and breaking ties by the lower class index (a stable descending sort).
 * This is the reference's accuracy without its crash on current PyTorch (defect 1).
 */
public final class Accuracy {
    private Accuracy() {
    }

    /** Hits at each k of {@code ks} over a batch of {@code n} rows of {@code classes} logits. */
    public static int[] hits(float[] logits, long[] targets, int classes, int... ks) {
        int[] hits = new int[ks.length];
        int n = targets.length;
        for (int i = 0; i < n; i++) {
            int t = (int) targets[i];
            float v = logits[i * classes + t];
            int rank = 0;
            for (int c = 0; c < classes; c++) {
                float o = logits[i * classes + c];
                // a NaN logit ranks below every number; among equals the lower index ranks first
                boolean above = Float.isNaN(v) ? !Float.isNaN(o) || c < t : o > v || (o == v && c < t);
                if (above) {
                    rank++;
                }
            }
            for (int j = 0; j < ks.length; j++) {
                if (rank < ks[j]) {
                    hits[j]++;
                }
            }
        }
        return hits;
    }
}
