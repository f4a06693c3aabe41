package org.leno.api;

import java.nio.file.Path;
import java.util.List;
import org.leno.internal.evaluate.EvaluationFiles;
import org.leno.internal.evaluate.EvaluationMetrics;
import org.leno.internal.evaluate.EvaluationSummary;
import org.leno.internal.evaluate.Evaluator;

/**
 * How a model did on a folder of labelled images ({@link Classifier#evaluate(Path)}): the numbers
 * {@code leno validate} prints and writes, as values.
 *
 * <pre>{@code
 * try (Classifier classifier = Classifier.load(Path.of("results"))) {
 *     Evaluation e = classifier.evaluate(Path.of("data/val"));
 *     System.out.printf("Acc@1 %.2f, ECE %.4f%n", e.acc1(), e.expectedCalibrationError());
 *     for (Evaluation.ClassMetrics c : e.perClass()) {
 *         System.out.printf("%-20s %6.2f%%  F1 %.3f%n", c.label(), c.accuracy(), c.f1());
 *     }
 * }
 * }</pre>
 *
 * <p>Averages follow scikit-learn's defaults: they run over the classes that have an image or a
 * prediction, and an undefined precision or recall (nothing predicted as the class, or no image of
 * it) counts as 0 in them; in {@link #perClass()} an undefined value is {@code NaN}. An instance is
 * immutable and may be shared between threads.
 */
public final class Evaluation {
    /**
     * One class: its images ({@code support}), the images predicted as it, those of its images
     * predicted right, and the rates from them.
     *
     * @param index          the class index in the model, from 0
     * @param label          the class name recorded with the model (the folder's name when the model records none)
     * @param support        images of the class
     * @param predicted      images predicted as the class
     * @param correct        images of the class predicted as the class
     * @param precision      {@code correct / predicted}, NaN when nothing was predicted as the class
     * @param recall         {@code correct / support}, NaN when the class has no image
     * @param f1             {@code 2 correct / (support + predicted)}
     * @param meanConfidence the mean top-1 probability over the class's images, NaN when it has none
     */
    public record ClassMetrics(int index, String label, long support, long predicted, long correct, double precision,
                               double recall, double f1, double meanConfidence) {
        /**
         * The class's top-1 accuracy, in percent.
         *
         * @return {@code 100 * recall}, NaN when the class has no image
         */
        public double accuracy() {
            return 100 * recall;
        }
    }

    /**
     * Precision, recall and F1 averaged over the classes.
     *
     * @param precision the average precision
     * @param recall    the average recall
     * @param f1        the average F1
     */
    public record Averages(double precision, double recall, double f1) {}

    /**
     * An off-diagonal cell of the confusion matrix.
     *
     * @param actual    the true class's name
     * @param predicted the predicted class's name
     * @param count     how many images of {@code actual} were predicted as {@code predicted}
     */
    public record Confusion(String actual, String predicted, long count) {}

    private final Evaluator.Result result;
    private final EvaluationSummary.Context context;
    private final EvaluationMetrics metrics;

    Evaluation(Evaluator.Result result, EvaluationSummary.Context context) {
        this.result = result;
        this.context = context;
        this.metrics = result.evaluation();
    }

    /**
     * The images scored (those that could be read).
     *
     * @return the count, at least 1
     */
    public int count() { return metrics.count(); }

    /**
     * Images of the folder that could not be read, each with why; they are in no number.
     *
     * @return one line per unreadable image, naming it
     */
    public List<String> unreadable() {
        return result.unreadable().stream().map(Evaluator.Unreadable::error).toList();
    }

    /**
     * Top-1 accuracy, in percent.
     *
     * @return the share of images whose most probable class is theirs, times 100
     */
    public double acc1() { return metrics.acc1(); }

    /**
     * Top-5 accuracy, in percent (top-k over all classes when the model has fewer than 5).
     *
     * @return the share of images whose class is among their 5 most probable, times 100
     */
    public double acc5() { return metrics.acc5(); }

    /**
     * The mean cross-entropy loss: the negative log-likelihood of the true class, in nats.
     *
     * @return the mean of {@code -log p(true class)}
     */
    public double loss() { return metrics.nll(); }

    /**
     * Per-class precision, recall and F1 averaged with equal weight per class.
     *
     * @return the macro averages
     */
    public Averages macro() {
        EvaluationMetrics.Averages a = metrics.macro();
        return new Averages(a.precision(), a.recall(), a.f1());
    }

    /**
     * Per-class precision, recall and F1 averaged with each class weighted by its images.
     *
     * @return the weighted averages
     */
    public Averages weighted() {
        EvaluationMetrics.Averages a = metrics.weighted();
        return new Averages(a.precision(), a.recall(), a.f1());
    }

    /**
     * The mean recall over the classes that have images.
     *
     * @return the balanced accuracy, in [0, 1]
     */
    public double balancedAccuracy() { return metrics.balancedAccuracy(); }

    /**
     * Expected calibration error over 15 equal-width bins of the top-1 probability: each bin's
     * |accuracy - mean probability|, weighted by its share of the images.
     *
     * @return the ECE, in [0, 1]
     */
    public double expectedCalibrationError() { return metrics.expectedCalibrationError(); }

    /**
     * The classes that have an image or a prediction, by index.
     *
     * @return one entry per such class, in index order
     */
    public List<ClassMetrics> perClass() {
        return metrics.perClass().stream().map(m -> new ClassMetrics(m.index(), m.name(), m.support(), m.predicted(),
                m.correct(), m.precision(), m.recall(), m.f1(), m.meanConfidence())).toList();
    }

    /**
     * The confusion matrix over all the model's classes: {@code confusion()[actual][predicted]} images.
     *
     * @return a new n x n array, n the model's number of classes (index as in {@link #labels()})
     */
    public long[][] confusion() { return metrics.confusion(); }

    /**
     * The model's class names, by index (the rows and columns of {@link #confusion()}).
     *
     * @return one name per class of the model
     */
    public List<String> labels() { return metrics.classNames(); }

    /**
     * The largest cells off the diagonal of the confusion matrix.
     *
     * @param n how many, at most
     * @return the cells, largest first (empty cells left out)
     */
    public List<Confusion> mostConfused(int n) {
        return metrics.mostConfused(n).stream().map(c -> new Confusion(metrics.classNames().get(c.actual()),
                metrics.classNames().get(c.predicted()), c.count())).toList();
    }

    /**
     * Writes what {@code leno validate} writes (summary.json, per_class.csv, confusion.csv and .png,
     * confused_pairs.csv, reliability.png, predictions.csv) into {@code dir}, replacing an earlier
     * evaluation there whole.
     *
     * @param dir the folder: new, empty, or an earlier evaluation
     * @throws LenoException if the folder holds something else, or cannot be written
     */
    public void write(Path dir) {
        Errors.run(() -> EvaluationFiles.write(dir, EvaluationSummary.of(result, context), metrics));
    }
}
