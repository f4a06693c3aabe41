package org.leno.internal.evaluate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** summary.json: the metrics, the reliability bins, the most-confused pairs, what was unreadable, and how it ran. */
public final class EvaluationSummary {
    /** summary.json's layout version. */
    public static final int FORMAT = 1;

    /**
     * How the evaluation was run: the weights file read, the data described, the split, the test-time
     * augmentation, the inputs per forward pass, the command's exact arguments and the model card in force.
     */
    public record Context(String weights, String data, String split, Tta tta, int batchSize, List<String> flags,
                          Map<String, Object> modelCard) {
        public Context {
            flags = List.copyOf(flags);
        }
    }

    private EvaluationSummary() {
    }

    public static Map<String, Object> of(Evaluator.Result r, Context c) {
        EvaluationMetrics e = r.evaluation();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("complete", true);
        m.putAll(metrics(e));
        m.put("images", e.count());
        m.put("unreadable_images", r.unreadable().size());
        m.put("classes_evaluated", e.perClass().stream().filter(x -> x.support() > 0).count());
        m.put("model_classes", e.classNames().size());
        m.put("tta", tta(r, c.tta()));
        m.put("most_confused", mostConfused(e));
        m.put("reliability", bins(e));
        m.put("unreadable", r.unreadable().stream().map(u -> Map.of("image", u.image(), "error", u.error())).toList());
        m.put("weights", c.weights());
        m.put("data", c.data());
        m.put("split", c.split());
        m.put("batch_size", c.batchSize());
        m.put("seconds", r.seconds());
        m.put("images_per_s", r.offered() / r.seconds());
        m.put("flags", c.flags());
        m.put("model_card", c.modelCard());
        return m;
    }

    /** The headline numbers: accuracies in percent, the rest as fractions; undefined ones as null. */
    static Map<String, Object> metrics(EvaluationMetrics e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("acc1", number(e.acc1()));
        m.put("acc5", number(e.acc5()));
        m.put("loss", number(e.nll()));
        m.put("nll", number(e.nll()));
        m.put("precision_macro", number(e.macro().precision()));
        m.put("recall_macro", number(e.macro().recall()));
        m.put("f1_macro", number(e.macro().f1()));
        m.put("precision_weighted", number(e.weighted().precision()));
        m.put("recall_weighted", number(e.weighted().recall()));
        m.put("f1_weighted", number(e.weighted().f1()));
        m.put("balanced_accuracy", number(e.balancedAccuracy()));
        m.put("ece", number(e.expectedCalibrationError()));
        m.put("ece_bins", EvaluationMetrics.ECE_BINS);
        return m;
    }

    private static Map<String, Object> tta(Evaluator.Result r, Tta tta) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mode", tta.flag());
        m.put("views", tta.views());
        r.plain().ifPresent(p -> {
            m.put("plain", metrics(p));
            m.put("acc1_gain", number(r.evaluation().acc1() - p.acc1()));
            m.put("acc5_gain", number(r.evaluation().acc5() - p.acc5()));
            m.put("nll_change", number(r.evaluation().nll() - p.nll()));
        });
        return m;
    }

    private static List<Object> mostConfused(EvaluationMetrics e) {
        List<Object> out = new ArrayList<>();
        for (EvaluationMetrics.Confusion c : e.mostConfused(EvaluationFiles.CONFUSED_PAIRS_LISTED)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("actual", e.classNames().get(c.actual()));
            m.put("predicted", e.classNames().get(c.predicted()));
            m.put("count", c.count());
            m.put("share_of_actual", (double) c.count() / EvaluationFiles.support(e, c.actual()));
            out.add(m);
        }
        return out;
    }

    private static List<Object> bins(EvaluationMetrics e) {
        List<Object> out = new ArrayList<>();
        for (EvaluationMetrics.Bin b : e.reliabilityBins()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("lower", b.lower());
            m.put("upper", b.upper());
            m.put("count", b.count());
            m.put("confidence", number(b.confidence()));
            m.put("accuracy", number(b.accuracy()));
            out.add(m);
        }
        return out;
    }

    /** JSON has no NaN: an undefined number is null. */
    static Double number(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
