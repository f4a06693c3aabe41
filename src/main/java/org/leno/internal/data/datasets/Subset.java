package org.leno.internal.data.datasets;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * {@code count} samples of a source, stratified: each class keeps its share of the count (largest
 * remainders round), and within a class the samples are spread evenly over its indices. The
 * choice depends only on the labels, so it is the same in every run; the samples keep the
 * source's order. (An even step over the whole source picked one class whenever the labels cycle
 * with a period dividing the step, as the embedded and Fashion-MNIST data do.)
 */
public final class Subset implements ImageSource {
    private final ImageSource source;
    private final int[] chosen;

    public Subset(ImageSource source, int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a subset needs at least 1 sample, got " + count);
        }
        this.source = source;
        this.chosen = choose(source, Math.min(count, source.size()));
    }

    static int[] choose(ImageSource source, int count) {
        int classes = 0;
        for (int i = 0; i < source.size(); i++) {
            classes = Math.max(classes, source.label(i) + 1);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < source.size(); i++) {
            byClass.get(source.label(i)).add(i);
        }
        int[] take = apportion(byClass.stream().mapToInt(List::size).toArray(), count, source.size());
        int[] out = new int[count];
        int n = 0;
        for (int c = 0; c < classes; c++) {
            List<Integer> members = byClass.get(c);
            for (int k = 0; k < take[c]; k++) {
                out[n++] = members.get((int) ((long) k * members.size() / take[c]));
            }
        }
        Arrays.sort(out);
        return out;
    }

    /** Largest-remainder shares of {@code count} for classes of the given sizes (ties to the lower class). */
    static int[] apportion(int[] sizes, int count, int total) {
        int[] take = new int[sizes.length];
        long[] remainder = new long[sizes.length];
        int given = 0;
        for (int c = 0; c < sizes.length; c++) {
            long quota = (long) count * sizes[c];
            take[c] = (int) (quota / total);
            remainder[c] = quota % total;
            given += take[c];
        }
        Integer[] order = new Integer[sizes.length];
        for (int c = 0; c < order.length; c++) {
            order[c] = c;
        }
        Arrays.sort(order, Comparator.comparingLong((Integer c) -> -remainder[c]).thenComparingInt(c -> c));
        for (int k = 0; given < count; k++) {
            int c = order[k % order.length];
            if (take[c] < sizes[c]) {
                take[c]++;
                given++;
            }
        }
        return take;
    }

    @Override
    public int size() { return chosen.length; }

    @Override
    public int label(int index) { return source.label(chosen[index]); }

    @Override
    public Mat rgb(int index) { return source.rgb(chosen[index]); }

    @Override
    public String describe(int index) { return source.describe(chosen[index]); }

    @Override
    public List<String> classes() { return source.classes(); }
}
