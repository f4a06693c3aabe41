package org.leno.internal.evaluate;

/**
 * One class of an evaluation: {@code support} images of the class, {@code predicted} images
 * predicted as it, {@code correct} of its images predicted as it; precision (NaN when nothing was
 * predicted as it), recall (NaN when it has no image), F1 ({@code 2 correct / (support + predicted)})
 * and the mean top-1 probability over its images (NaN without images).
 */
public record ClassMetrics(int index, String name, long support, long predicted, long correct, double precision,
                           double recall, double f1, double meanConfidence) {
    /** Recall in percent: the class's top-1 accuracy (NaN without images). */
    public double accuracy() {
        return 100 * recall;
    }
}
