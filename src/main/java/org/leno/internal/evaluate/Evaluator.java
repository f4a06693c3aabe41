package org.leno.internal.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.datasets.ImageSource;
import org.leno.internal.data.decode.UnreadableImageException;
import org.leno.internal.predict.ImageClassifier;
import org.leno.internal.predict.PreparedInputs;

/**
 * Runs a classifier over every image of a labelled data set and scores it: the inference path of
 * `leno predict` ({@link ImageClassifier}: the validation transform, the folded eval-mode forward),
 * images decoded on a pool while the previous batch computes, an unreadable image reported and
 * counted but never fatal. With test-time augmentation each image gives {@link Tta#views()} inputs
 * whose logits are averaged; the plain centre crop is one of them, so the plain pass comes for free.
 */
public final class Evaluator {
    /** What the caller hears while the evaluation runs; every method is called on the evaluating thread. */
    public interface Listener {
        /** {@code done} of {@code total} images have been through the model or found unreadable. */
        default void progress(int done, int total) {
        }

        default void unreadable(Unreadable image) {
        }

        /** Image {@code index} of the data set, with its model class and its (averaged) logits. */
        default void scored(int index, String name, int label, float[] logits) {
        }
    }

    /** An image that could not be decoded or transformed, and why. */
    public record Unreadable(String image, String error) {}

    /**
     * The evaluation, the plain pass's when test-time augmentation ran (empty otherwise), the images
     * that could not be read, the images offered and the seconds taken.
     */
    public record Result(EvaluationMetrics evaluation, Optional<EvaluationMetrics> plain, List<Unreadable> unreadable, int offered,
                         double seconds) {}

    private final ImageClassifier classifier;
    private final Tta tta;
    private final int batchSize;
    private final ExecutorService pool;

    /**
     * {@code batchSize}: inputs per forward pass (each image gives {@code tta.views()} of them);
     * {@code pool}: decodes images, null to decode on the evaluating thread.
     */
    public Evaluator(ImageClassifier classifier, Tta tta, int batchSize, ExecutorService pool) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        }
        tta.check(classifier.setup().transform());
        this.classifier = classifier;
        this.tta = tta;
        this.batchSize = batchSize;
        this.pool = pool;
    }

    /** Evaluates every image of {@code data}, its classes mapped onto the model's by {@code classes}. */
    public Result run(ImageSource data, ClassMapping classes, Listener listener) {
        long start = System.nanoTime();
        int total = data.size();
        int perBatch = Math.max(1, batchSize / tta.views());
        List<ScoredImage> scored = new ArrayList<>(total);
        List<ScoredImage> plain = new ArrayList<>(tta == Tta.NONE ? 0 : total);
        List<Unreadable> unreadable = new ArrayList<>();
        PreparedInputs.Pending next = PreparedInputs.submit(tasks(data, 0, Math.min(total, perBatch)), pool);
        for (int from = 0; from < total; from += perBatch) {
            int to = Math.min(total, from + perBatch);
            PreparedInputs.Pending current = next;
            next = to < total ? PreparedInputs.submit(tasks(data, to, Math.min(total, to + perBatch)), pool) : null;
            List<PreparedInputs.Prepared> prepared = current.get();
            List<Integer> readable = new ArrayList<>();
            List<float[]> inputs = new ArrayList<>();
            for (int i = from; i < to; i++) {
                PreparedInputs.Prepared p = prepared.get(i - from);
                if (p.ok()) {
                    readable.add(i);
                    inputs.addAll(split(p.input()));
                } else {
                    Unreadable u = new Unreadable(data.describe(i), oneLine(p.error()));
                    unreadable.add(u);
                    listener.unreadable(u);
                }
            }
            float[][] logits = forward(inputs);
            for (int k = 0; k < readable.size(); k++) {
                int i = readable.get(k);
                List<float[]> views = Arrays.asList(logits).subList(k * tta.views(), (k + 1) * tta.views());
                float[] averaged = tta == Tta.NONE ? views.get(0) : Tta.average(views);
                int label = classes.toModel(data.label(i));
                String name = data.describe(i);
                scored.add(ScoredImage.of(name, label, averaged, EvaluationMetrics.TOP_K));
                if (tta != Tta.NONE) {
                    plain.add(ScoredImage.of(name, label, views.get(tta.plainView()), EvaluationMetrics.TOP_K));
                }
                listener.scored(i, name, label, averaged);
            }
            listener.progress(to, total);
        }
        if (scored.isEmpty()) {
            throw new IllegalArgumentException(total == 0 ? "no images to evaluate"
                    : "none of the " + total + " images could be read (first: " + unreadable.get(0).error() + ")");
        }
        EvaluationMetrics evaluation = EvaluationMetrics.of(classes.names(), scored);
        Optional<EvaluationMetrics> plainPass = tta == Tta.NONE ? Optional.empty() : Optional.of(EvaluationMetrics.of(classes.names(), plain));
        return new Result(evaluation, plainPass, List.copyOf(unreadable), total, (System.nanoTime() - start) / 1e9);
    }

    /** The logits of {@code inputs}, at most {@code batchSize} per forward pass. */
    private float[][] forward(List<float[]> inputs) {
        float[][] out = new float[inputs.size()][];
        for (int from = 0; from < inputs.size(); from += batchSize) {
            int to = Math.min(inputs.size(), from + batchSize);
            float[][] part = classifier.logits(inputs.subList(from, to));
            System.arraycopy(part, 0, out, from, part.length);
        }
        return out;
    }

    /** One decode-and-transform task per image of [from, to): its views' inputs end to end in one array. */
    private List<Callable<float[]>> tasks(ImageSource data, int from, int to) {
        List<Callable<float[]>> tasks = new ArrayList<>();
        for (int i = from; i < to; i++) {
            int index = i;
            tasks.add(() -> {
                String name = data.describe(index);
                try (Mat rgb = data.rgb(index)) {
                    classifier.requireUsable(rgb, name);
                    return concat(tta.inputs(rgb, classifier.setup().transform()));
                }
            });
        }
        return tasks;
    }

    private static float[] concat(List<float[]> views) {
        if (views.size() == 1) {
            return views.get(0);
        }
        int per = views.get(0).length;
        float[] out = new float[per * views.size()];
        for (int v = 0; v < views.size(); v++) {
            System.arraycopy(views.get(v), 0, out, v * per, per);
        }
        return out;
    }

    private List<float[]> split(float[] all) {
        if (tta.views() == 1) {
            return List.of(all);
        }
        int per = all.length / tta.views();
        List<float[]> out = new ArrayList<>();
        for (int v = 0; v < tta.views(); v++) {
            out.add(Arrays.copyOfRange(all, v * per, (v + 1) * per));
        }
        return out;
    }

    private static String oneLine(RuntimeException e) {
        String m = e instanceof UnreadableImageException || e.getMessage() != null ? e.getMessage() : e.toString();
        return m == null ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
    }
}
