package org.leno.internal.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.leno.internal.testing.Fixtures;

/**
 * Every metric of {@link EvaluationMetrics} against scikit-learn's on the same logits
 * (scripts/make_eval_fixtures.py): 240 images over 8 classes, class 5 with images but never
 * predicted, class 6 predicted but without images, class 7 with neither.
 */
class EvaluationMetricsTest {
    private static final double TOLERANCE = 1e-12;
    private static JsonNode expected;
    private static EvaluationMetrics evaluation;

    @BeforeAll
    static void evaluate() {
        JsonNode fixture = Fixtures.json("eval_metrics.json");
        expected = fixture.get("expected");
        int classes = fixture.get("classes").asInt();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class " + c);
        }
        List<ScoredImage> images = new ArrayList<>();
        for (int i = 0; i < fixture.get("labels").size(); i++) {
            float[] logits = new float[classes];
            for (int c = 0; c < classes; c++) {
                logits[c] = (float) fixture.get("logits").get(i).get(c).asDouble();
            }
            images.add(ScoredImage.of("image " + i, fixture.get("labels").get(i).asInt(), logits, EvaluationMetrics.TOP_K));
        }
        evaluation = EvaluationMetrics.of(names, images);
    }

    @Test
    void labelsAreTheClassesWithAnImageOrAPrediction() {
        assertThat(evaluation.labels()).containsExactlyElementsOf(ints(expected.get("labels")));
        assertThat(evaluation.labels()).contains(5, 6).doesNotContain(7);
    }

    @Test
    void accuraciesAndLogLossEqualScikitLearns() {
        assertThat(evaluation.acc1()).isCloseTo(expected.get("acc1").asDouble(), within(TOLERANCE));
        assertThat(evaluation.acc5()).isCloseTo(expected.get("acc5").asDouble(), within(TOLERANCE));
        assertThat(evaluation.nll()).isCloseTo(expected.get("nll").asDouble(), within(1e-9));
        assertThat(evaluation.balancedAccuracy()).isCloseTo(expected.get("balanced_accuracy").asDouble(), within(TOLERANCE));
    }

    @Test
    void confusionMatrixEqualsScikitLearns() {
        long[][] all = evaluation.confusion();
        List<Integer> labels = evaluation.labels();
        for (int r = 0; r < labels.size(); r++) {
            for (int c = 0; c < labels.size(); c++) {
                assertThat(all[labels.get(r)][labels.get(c)]).as("cell %d,%d", r, c)
                        .isEqualTo(expected.get("confusion").get(r).get(c).asLong());
            }
        }
        assertThat(all[7]).containsOnly(0L);
    }

    @Test
    void perClassMetricsEqualScikitLearnsWithUndefinedAsNaN() {
        List<ClassMetrics> perClass = evaluation.perClass();
        assertThat(perClass).hasSize(expected.get("labels").size());
        for (int k = 0; k < perClass.size(); k++) {
            ClassMetrics m = perClass.get(k);
            assertThat(m.support()).isEqualTo(expected.get("support").get(k).asLong());
            assertThat(m.predicted()).isEqualTo(expected.get("predicted").get(k).asLong());
            // scikit-learn writes an undefined precision or recall as 0 (zero_division=0); ours is NaN
            assertThat(m.precision()).isEqualTo(m.predicted() == 0 ? Double.NaN : expected.get("precision").get(k).asDouble(),
                    within(TOLERANCE));
            assertThat(m.recall()).isEqualTo(m.support() == 0 ? Double.NaN : expected.get("recall").get(k).asDouble(),
                    within(TOLERANCE));
            assertThat(m.f1()).isCloseTo(expected.get("f1").get(k).asDouble(), within(TOLERANCE));
            JsonNode confidence = expected.get("mean_confidence").get(k);
            if (confidence.isNull()) {
                assertThat(m.meanConfidence()).isNaN();
            } else {
                assertThat(m.meanConfidence()).isCloseTo(confidence.asDouble(), within(1e-12));
            }
        }
        assertThat(perClass.get(5).predicted()).isZero();
        assertThat(perClass.get(6).support()).isZero();
    }

    @Test
    void macroAndWeightedAveragesEqualScikitLearns() {
        assertThat(evaluation.macro().precision()).isCloseTo(expected.get("precision_macro").asDouble(), within(TOLERANCE));
        assertThat(evaluation.macro().recall()).isCloseTo(expected.get("recall_macro").asDouble(), within(TOLERANCE));
        assertThat(evaluation.macro().f1()).isCloseTo(expected.get("f1_macro").asDouble(), within(TOLERANCE));
        assertThat(evaluation.weighted().precision()).isCloseTo(expected.get("precision_weighted").asDouble(), within(TOLERANCE));
        assertThat(evaluation.weighted().recall()).isCloseTo(expected.get("recall_weighted").asDouble(), within(TOLERANCE));
        assertThat(evaluation.weighted().f1()).isCloseTo(expected.get("f1_weighted").asDouble(), within(TOLERANCE));
    }

    @Test
    void expectedCalibrationErrorEqualsTheReferenceImplementation() {
        assertThat(evaluation.expectedCalibrationError()).isCloseTo(expected.get("ece").asDouble(), within(1e-12));
        assertThat(evaluation.reliabilityBins()).hasSize(15);
        assertThat(evaluation.reliabilityBins().stream().mapToLong(EvaluationMetrics.Bin::count).sum()).isEqualTo(evaluation.count());
    }

    @Test
    void mostConfusedPairsAreTheLargestCellsOffTheDiagonal() {
        List<EvaluationMetrics.Confusion> top = evaluation.mostConfused(20);
        long[][] all = evaluation.confusion();
        long largest = 0;
        for (int a = 0; a < all.length; a++) {
            for (int p = 0; p < all.length; p++) {
                largest = a == p ? largest : Math.max(largest, all[a][p]);
            }
        }
        assertThat(top).hasSize(20);
        assertThat(top.get(0).count()).isEqualTo(largest);
        for (int i = 1; i < top.size(); i++) {
            assertThat(top.get(i).count()).isLessThanOrEqualTo(top.get(i - 1).count());
            assertThat(top.get(i).actual()).isNotEqualTo(top.get(i).predicted());
        }
    }

    @Test
    void predictionsPutTheMostConfidentMistakesFirst() {
        List<ScoredImage> sorted = evaluation.mistakesFirst();
        long mistakes = sorted.stream().filter(s -> !s.correct()).count();
        assertThat(sorted.subList(0, (int) mistakes)).noneMatch(ScoredImage::correct)
                .isSortedAccordingTo((a, b) -> Double.compare(b.confidence(), a.confidence()));
        assertThat(sorted.subList((int) mistakes, sorted.size())).allMatch(ScoredImage::correct)
                .isSortedAccordingTo((a, b) -> Double.compare(a.confidence(), b.confidence()));
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(v -> out.add(v.asInt()));
        return out;
    }
}
