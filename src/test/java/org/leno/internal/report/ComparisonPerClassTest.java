package org.leno.internal.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

/** `leno compare`'s page puts the per-class accuracy of RUN/eval-val side by side, mean over seeds, minus the baseline. */
class ComparisonPerClassTest {
    static final List<String> CLASSES = List.of("cat", "dog", "eel, wet");

    /** Images of 3 classes; run {@code shift} gets {@code shift} more of class 1 wrong. */
    static EvaluationMetrics evaluation(int shift) {
        List<ScoredImage> images = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            int label = i % 3;
            float[] logits = new float[3];
            boolean wrong = label == 1 && i / 3 < shift || label == 2 && i < 6;
            logits[wrong ? (label + 1) % 3 : label] = 3;
            images.add(ScoredImage.of("i" + i, label, logits, EvaluationMetrics.TOP_K));
        }
        return EvaluationMetrics.of(CLASSES, images);
    }

    static void writeEvaluation(Path run, EvaluationMetrics e) {
        Map<String, Object> summary = EvaluationSummary.of(new Evaluator.Result(e, Optional.empty(), List.of(), e.count(), 1.0),
                new EvaluationSummary.Context(run.toString(), "val", "val", Tta.NONE, 32, List.of(), Map.of()));
        EvaluationFiles.write(run.resolve("eval-val"), summary, e);
    }

    @Test
    void perClassAccuracyOfTwoArchitecturesSideBySide(@TempDir Path tmp) throws IOException {
        Fixtures.copyTree(Fixtures.path("compare"), tmp);
        double[][] expected = new double[2][3];
        for (int seed = 0; seed < 3; seed++) {
            EvaluationMetrics resnet = evaluation(seed);
            EvaluationMetrics leno = evaluation(seed + 3);
            writeEvaluation(tmp.resolve("resnet50/seed" + seed), resnet);
            writeEvaluation(tmp.resolve("lenoresnet50/seed" + seed), leno);
            for (int c = 0; c < 3; c++) {
                expected[0][c] += resnet.perClass().get(c).accuracy() / 3;
                expected[1][c] += leno.perClass().get(c).accuracy() / 3;
            }
        }
        List<ComparisonReport.Planned> planned = new ArrayList<>();
        for (SeedRun r : ComparisonTest.plan(tmp)) {
            planned.add(new ComparisonReport.Planned(r.arch(), r.depth(), r.seed(), r.dir()));
        }
        new ComparisonReport("resnet", 3, planned).write(tmp);
        String html = Files.readString(tmp.resolve("report.html"));
        JsonNode perClass = ReportTest.inlinedData(html).get("per_class");
        assertThat(perClass.get("columns").toString()).isEqualTo("[\"class\",\"ResNet-50 (3 runs)\",\"LeNo-ResNet-50 (3 runs)\"]");
        for (int c = 0; c < 3; c++) {
            JsonNode row = perClass.get("rows").get(c);
            assertThat(row.get(0).asText()).isEqualTo(CLASSES.get(c));
            assertThat(row.get(1).asDouble()).isCloseTo(expected[0][c], within(1e-9));
            assertThat(row.get(2).asDouble()).isCloseTo(expected[1][c], within(1e-9));
        }
        assertThat(html).contains("<th>LeNo-ResNet-50 minus ResNet-50</th>").contains("data-csv=\"per-class\"")
                .contains(String.format(Locale.ROOT, "<td>%+.2f</td>", expected[1][1] - expected[0][1]));
    }

    @Test
    void withoutEvaluationsThereIsNoPerClassTable(@TempDir Path tmp) throws IOException {
        List<ComparisonReport.Planned> planned = new ArrayList<>();
        for (SeedRun r : ComparisonTest.plan(Fixtures.path("compare"))) {
            planned.add(new ComparisonReport.Planned(r.arch(), r.depth(), r.seed(), r.dir()));
        }
        new ComparisonReport("resnet", 3, planned).write(tmp);
        String html = Files.readString(tmp.resolve("report.html"));
        assertThat(ReportTest.inlinedData(html).get("per_class").isNull()).isTrue();
        assertThat(html).doesNotContain("data-csv=\"per-class\"");
    }
}
