package org.leno.internal.evaluate;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The numbers of one pass of a model over labelled images, computed from each image's scores: top-1
 * and top-5 accuracy, mean negative log-likelihood, the confusion matrix, per-class precision,
 * recall and F1 with their macro and support-weighted averages, balanced accuracy, and the expected
 * calibration error over {@value #ECE_BINS} equal-width bins of top-1 probability.
 *
 * <p>The averages follow scikit-learn's defaults: they run over the classes that have an image or a
 * prediction ({@link #labels()}), and a precision or recall with a zero denominator counts as 0
 * there (per class it is NaN, undefined).
 */
public final class EvaluationMetrics {
    public static final int ECE_BINS = 15;
    /** How many classes each image's prediction keeps (Acc@5, predictions.csv). */
    public static final int TOP_K = 5;

    /** A cell of the confusion matrix off its diagonal: {@code count} images of {@code actual} predicted as {@code predicted}. */
    public record Confusion(int actual, int predicted, long count) {}

    /** Mean of per-class values over {@link #labels()}: plain (macro) and weighted by support. */
    public record Averages(double precision, double recall, double f1) {}

    /** One reliability bin, ({@code lower}, {@code upper}]: its images, their mean top-1 probability and accuracy (NaN when empty). */
    public record Bin(double lower, double upper, long count, double confidence, double accuracy) {}

    private final List<String> classNames;
    private final List<ScoredImage> images;
    private final long[][] confusion;
    private final List<Integer> labels;
    private final List<ClassMetrics> perClass;
    private final List<Bin> bins;

    private EvaluationMetrics(List<String> classNames, List<ScoredImage> images) {
        this.classNames = List.copyOf(classNames);
        this.images = List.copyOf(images);
        int k = classNames.size();
        this.confusion = new long[k][k];
        for (ScoredImage s : images) {
            confusion[s.label()][s.predicted()]++;
        }
        this.labels = presentLabels();
        this.perClass = labels.stream().map(this::classMetrics).toList();
        this.bins = reliability();
    }

    /** The evaluation of {@code images}, scored against a model of {@code classNames.size()} classes. */
    public static EvaluationMetrics of(List<String> classNames, List<ScoredImage> images) {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no image to evaluate");
        }
        for (ScoredImage s : images) {
            if (s.label() < 0 || s.label() >= classNames.size() || s.predicted() >= classNames.size()) {
                throw new IllegalArgumentException(s.name() + ": class " + s.label() + " outside the model's "
                        + classNames.size() + " classes");
            }
        }
        return new EvaluationMetrics(classNames, images);
    }

    public int count() { return images.size(); }

    /** Every model class's name, by index. */
    public List<String> classNames() { return classNames; }

    /** The images in the order they were evaluated. */
    public List<ScoredImage> images() { return images; }

    /** Classes with at least one image or one prediction, ascending: the rows of {@link #perClass()}, scikit-learn's labels. */
    public List<Integer> labels() { return labels; }

    public List<ClassMetrics> perClass() { return perClass; }

    /** Counts by [actual class][predicted class] over all the model's classes (a copy). */
    public long[][] confusion() {
        long[][] copy = new long[confusion.length][];
        for (int i = 0; i < confusion.length; i++) {
            copy[i] = confusion[i].clone();
        }
        return copy;
    }

    /** Top-1 accuracy in percent. */
    public double acc1() {
        return 100.0 * images.stream().filter(ScoredImage::correct).count() / count();
    }

    /** Top-5 accuracy in percent (top-k with k the number of classes when fewer). */
    public double acc5() {
        long hits = 0;
        for (ScoredImage s : images) {
            for (int c : s.top()) {
                if (c == s.label()) {
                    hits++;
                }
            }
        }
        return 100.0 * hits / count();
    }

    /** Mean negative log-likelihood of the true class (the mean cross-entropy loss), in nats. */
    public double nll() {
        return images.stream().mapToDouble(ScoredImage::nll).sum() / count();
    }

    public Averages macro() {
        double p = 0;
        double r = 0;
        double f = 0;
        for (ClassMetrics m : perClass) {
            p += zeroIfNaN(m.precision());
            r += zeroIfNaN(m.recall());
            f += zeroIfNaN(m.f1());
        }
        int n = perClass.size();
        return new Averages(p / n, r / n, f / n);
    }

    public Averages weighted() {
        double p = 0;
        double r = 0;
        double f = 0;
        for (ClassMetrics m : perClass) {
            p += m.support() * zeroIfNaN(m.precision());
            r += m.support() * zeroIfNaN(m.recall());
            f += m.support() * zeroIfNaN(m.f1());
        }
        double n = count();
        return new Averages(p / n, r / n, f / n);
    }

    /** The mean recall over the classes that have images. */
    public double balancedAccuracy() {
        return perClass.stream().filter(m -> m.support() > 0).mapToDouble(ClassMetrics::recall).average().orElse(Double.NaN);
    }

    /** Expected calibration error: the bins' |accuracy - mean confidence| weighted by their share of the images. */
    public double expectedCalibrationError() {
        double ece = 0;
        for (Bin b : bins) {
            if (b.count() > 0) {
                ece += Math.abs(b.accuracy() - b.confidence()) * b.count() / count();
            }
        }
        return ece;
    }

    /** The {@value #ECE_BINS} bins of the reliability diagram, lowest first. */
    public List<Bin> reliabilityBins() { return bins; }

    /** The {@code n} largest cells off the diagonal (ties: by actual, then predicted class), empty cells left out. */
    public List<Confusion> mostConfused(int n) {
        return TopConfusions.cells(confusion).stream().limit(n).map(c -> new Confusion(c.actual(), c.predicted(), c.count()))
                .toList();
    }

    /** Mistakes first, the most confident first; then the correct ones, the least confident first. */
    public List<ScoredImage> mistakesFirst() {
        List<ScoredImage> sorted = new ArrayList<>(images);
        sorted.sort(Comparator.comparing(ScoredImage::correct)
                .thenComparingDouble(s -> s.correct() ? s.confidence() : -s.confidence()));
        return sorted;
    }

    private List<Integer> presentLabels() {
        List<Integer> out = new ArrayList<>();
        for (int c = 0; c < confusion.length; c++) {
            if (support(c) > 0 || predicted(c) > 0) {
                out.add(c);
            }
        }
        return out;
    }

    private long support(int c) {
        long n = 0;
        for (long v : confusion[c]) {
            n += v;
        }
        return n;
    }

    private long predicted(int c) {
        long n = 0;
        for (long[] row : confusion) {
            n += row[c];
        }
        return n;
    }

    private ClassMetrics classMetrics(int c) {
        long support = support(c);
        long predicted = predicted(c);
        long correct = confusion[c][c];
        double confidence = images.stream().filter(s -> s.label() == c).mapToDouble(ScoredImage::confidence)
                .average().orElse(Double.NaN);
        return new ClassMetrics(c, classNames.get(c), support, predicted, correct, ratio(correct, predicted),
                ratio(correct, support), ratio(2 * correct, support + predicted), confidence);
    }

    /**
     * numpy.linspace(0, 1, 16)'s edges (k times 1/15, the last exactly 1) and the membership test
     * {@code lower < confidence <= upper} of the usual reference implementation (Guo et al. 2017).
     */
    private List<Bin> reliability() {
        double step = 1.0 / ECE_BINS;
        long[] count = new long[ECE_BINS];
        double[] confidence = new double[ECE_BINS];
        long[] correct = new long[ECE_BINS];
        for (ScoredImage s : images) {
            for (int b = 0; b < ECE_BINS; b++) {
                double lower = b * step;
                double upper = b == ECE_BINS - 1 ? 1.0 : (b + 1) * step;
                if (s.confidence() > lower && s.confidence() <= upper) {
                    count[b]++;
                    confidence[b] += s.confidence();
                    correct[b] += s.correct() ? 1 : 0;
                    break;
                }
            }
        }
        List<Bin> out = new ArrayList<>();
        for (int b = 0; b < ECE_BINS; b++) {
            out.add(new Bin(b * step, b == ECE_BINS - 1 ? 1.0 : (b + 1) * step, count[b],
                    count[b] == 0 ? Double.NaN : confidence[b] / count[b], ratio(correct[b], count[b])));
        }
        return out;
    }

    private static double ratio(long num, long den) {
        return den == 0 ? Double.NaN : (double) num / den;
    }

    private static double zeroIfNaN(double v) {
        return Double.isNaN(v) ? 0 : v;
    }
}
