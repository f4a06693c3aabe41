package org.leno.internal.report;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.evaluate.EvaluationFiles;
import org.leno.internal.evaluate.EvaluationMetrics;
import org.leno.internal.evaluate.EvaluationSummary;
import org.leno.internal.evaluate.Evaluator;
import org.leno.internal.evaluate.ScoredImage;
import org.leno.internal.evaluate.Tta;
import org.leno.internal.testing.Fixtures;

/** `leno report` on a run folder with an evaluation of `leno validate` in RUN/eval-val. */
class ReportEvaluationTest {
    /** {@code classes} classes named "class c, big" (a comma to quote); every 4th image mistaken for the next class. */
    static EvaluationMetrics evaluation(int classes, int images) {
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("class " + c + ", big");
        }
        List<ScoredImage> scored = new ArrayList<>();
        for (int i = 0; i < images; i++) {
            int label = i % classes;
            float[] logits = new float[classes];
            logits[i % 4 == 0 ? (label + 1 + i % 3) % classes : label] = 2 + (i % 7) / 3f;
            scored.add(ScoredImage.of("img" + i + ".png", label, logits, EvaluationMetrics.TOP_K));
        }
        return EvaluationMetrics.of(names, scored);
    }

    static Path runWithEvaluation(Path tmp, EvaluationMetrics e) throws IOException {
        Path run = tmp.resolve("resnet50");
        Fixtures.copyTree(Fixtures.path("runs/resnet50"), run);
        Map<String, Object> summary = EvaluationSummary.of(new Evaluator.Result(e, Optional.empty(), List.of(), e.count(), 1.0),
                new EvaluationSummary.Context(run.resolve("model_best.pth.tar").toString(), "data/val", "val", Tta.NONE, 32,
                        List.of("--weights", run.toString()), Map.of()));
        EvaluationFiles.write(run.resolve("eval-val"), summary, e);
        return run;
    }

    @Test
    void thePageCarriesTheEvaluationsTablesAndCharts(@TempDir Path tmp) throws IOException {
        EvaluationMetrics e = evaluation(10, 200);
        Path run = runWithEvaluation(tmp, e);
        String html = new Report().html(List.of(run));
        JsonNode ev = ReportTest.inlinedData(html).get("runs").get(0).get("evaluations").get(0);
        assertThat(ev.get("name").asText()).isEqualTo("eval-val");
        assertThat(ev.get("summary").get("acc1").asDouble()).isEqualTo(e.acc1());
        assertThat(ev.get("summary").get("ece").asDouble()).isEqualTo(e.expectedCalibrationError());
        JsonNode perClass = ev.get("per_class");
        assertThat(perClass.get("rows")).hasSize(10);
        assertThat(perClass.get("rows").get(3).get(1).asText()).isEqualTo("class 3, big");
        assertThat(perClass.get("rows").get(3).get(2).asLong()).isEqualTo(e.perClass().get(3).support());
        assertThat(perClass.get("rows").get(3).get(8).asDouble()).isEqualTo(e.perClass().get(3).f1());
        JsonNode confusion = ev.get("confusion");
        assertThat(confusion.get("classes")).hasSize(10);
        assertThat(confusion.get("counts").get(2).get(3).asLong()).isEqualTo(e.confusion()[2][3]);
        assertThat(ev.get("reliability")).hasSize(15);
        for (String id : List.of("confusion-0-0", "reliability-0-0")) {
            assertThat(html).contains("id=\"chart-" + id + "\"").contains("data-csv=\"" + id + "\"");
        }
        assertThat(html).contains("id=\"perclass-0-0\"").contains("data-csv=\"perclass-0-0\"");
    }

    @Test
    void aThousandClassMatrixShowsTheClassesOfTheTopConfusions(@TempDir Path tmp) throws IOException {
        EvaluationMetrics e = evaluation(1000, 3000);
        Path run = runWithEvaluation(tmp, e);
        JsonNode ev = ReportTest.inlinedData(new Report().html(List.of(run))).get("runs").get(0).get("evaluations").get(0);
        assertThat(ev.get("per_class").get("rows")).hasSize(1000);
        assertThat(ev.get("confusion").get("of").asInt()).isEqualTo(1000);
        assertThat(ev.get("confusion").get("classes").size()).isBetween(10, 30);
        EvaluationMetrics.Confusion top = e.mostConfused(1).get(0);
        List<String> shown = new ArrayList<>();
        ev.get("confusion").get("classes").forEach(c -> shown.add(c.asText()));
        assertThat(shown).contains(e.classNames().get(top.actual()), e.classNames().get(top.predicted()));
    }

    @Test
    void anEvaluationFolderWithoutSummaryIsLeftOut(@TempDir Path tmp) throws IOException {
        Path run = runWithEvaluation(tmp, evaluation(10, 50));
        Files.delete(run.resolve("eval-val/summary.json"));
        assertThat(ReportTest.inlinedData(new Report().html(List.of(run))).get("runs").get(0).get("evaluations")).isEmpty();
    }
}
