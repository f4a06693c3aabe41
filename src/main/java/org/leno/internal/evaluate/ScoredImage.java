package org.leno.internal.evaluate;

/**
 * One evaluated image: its name, true class, its {@code top} classes (most probable first; ties to
 * the lower index, a NaN logit below every number) with their softmax probabilities, and its
 * negative log-likelihood {@code -log p(label)}.
 */
public record ScoredImage(String name, int label, int[] top, double[] probabilities, double nll) {
    /** The predicted class (the first of {@link #top}). */
    public int predicted() { return top[0]; }

    /** The probability of the predicted class. */
    public double confidence() { return probabilities[0]; }

    public boolean correct() { return top[0] == label; }

    /** Scores {@code logits} (one image's, in float32 as the model gives them) against {@code label}, keeping {@code k} classes. */
    public static ScoredImage of(String name, int label, float[] logits, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (float v : logits) {
            sum += Math.exp(v - max);
        }
        double logSum = max + Math.log(sum);
        int[] top = top(logits, Math.min(k, logits.length));
        double[] p = new double[top.length];
        for (int i = 0; i < top.length; i++) {
            p[i] = Math.exp(logits[top[i]] - logSum);
        }
        return new ScoredImage(name, label, top, p, logSum - logits[label]);
    }

    /** The {@code k} highest logits' indices by selection (k passes), ranked as {@code train.Accuracy} ranks. */
    static int[] top(float[] logits, int k) {
        int[] out = new int[k];
        boolean[] taken = new boolean[logits.length];
        for (int j = 0; j < k; j++) {
            int best = -1;
            for (int c = 0; c < logits.length; c++) {
                if (!taken[c] && (best < 0 || above(logits[c], logits[best]))) {
                    best = c;
                }
            }
            taken[best] = true;
            out[j] = best;
        }
        return out;
    }

    /** Whether a later class with logit {@code v} ranks above an earlier one with {@code w}. */
    private static boolean above(float v, float w) {
        return Float.isNaN(w) ? !Float.isNaN(v) : v > w;
    }
}
