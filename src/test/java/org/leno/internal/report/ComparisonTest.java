package org.leno.internal.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.Fixtures;

/**
 * The comparison's statistics against numpy and scipy (scripts/make_compare_fixtures.py wrote the
 * fixture runs and compare_expected.json): group means and sds, per-epoch statistics with a missing
 * epoch, paired differences with their 95% t intervals, a truncated log left out, one seed without
 * an interval, and the t quantile itself.
 */
class ComparisonTest {
    static final List<String> ARCHS = List.of("resnet", "preactresnet", "lenoresnet");
    static Path root;
    static JsonNode expected;
    static Comparison comparison;

    @BeforeAll
    static void read() {
        root = Fixtures.path("compare");
        expected = Fixtures.json("compare/compare_expected.json");
        comparison = Comparison.of(plan(root), "resnet", expected.get("epochs").asInt());
    }

    /** Every DIR/<arch><depth>/seed<S>/ of the fixtures, in training order (seed, depth, arch). */
    static List<SeedRun> plan(Path dir) {
        List<SeedRun> runs = new ArrayList<>();
        for (int depth : List.of(50, 101)) {
            for (long seed : depth == 50 ? List.of(0L, 1L, 2L) : List.of(0L)) {
                for (String arch : ARCHS) {
                    runs.add(SeedRun.read(arch, depth, seed, dir.resolve(arch + depth).resolve("seed" + seed), 3));
                }
            }
        }
        return runs;
    }

    @Test
    void theTQuantileIsScipys() {
        for (JsonNode q : expected.get("t_quantiles")) {
            double t = q.get("t").asDouble();
            assertThat(SeedStatistics.tQuantile(q.get("p").asDouble(), q.get("df").asInt()))
                    .as("p %s df %s", q.get("p"), q.get("df")).isCloseTo(t, within(1e-10 * Math.max(1, Math.abs(t))));
        }
        // closed forms: df 1 is Cauchy, df 2 is (2p - 1) / sqrt(2p(1 - p)); scipy's ppf is 1.6e-10 off at (0.975, 2)
        for (double p : new double[] {0.025, 0.6, 0.9, 0.975, 0.995, 0.9995}) {
            double cauchy = Math.tan(Math.PI * (p - 0.5));
            double two = (2 * p - 1) / Math.sqrt(2 * p * (1 - p));
            assertThat(SeedStatistics.tQuantile(p, 1)).isCloseTo(cauchy, within(1e-12 * Math.max(1, Math.abs(cauchy))));
            assertThat(SeedStatistics.tQuantile(p, 2)).isCloseTo(two, within(1e-12 * Math.max(1, Math.abs(two))));
        }
    }

    @Test
    void groupStatisticsAreNumpys() {
        assertThat(comparison.groups()).hasSize(expected.get("groups").size());
        for (int i = 0; i < comparison.groups().size(); i++) {
            Comparison.Group g = comparison.groups().get(i);
            JsonNode e = expected.get("groups").get(i);
            String what = g.name();
            assertThat(g.arch()).isEqualTo(e.get("arch").asText());
            assertThat(g.depth()).isEqualTo(e.get("depth").asInt());
            assertThat(g.complete().stream().map(SeedRun::seed).toList().toString()).as(what).isEqualTo(e.get("seeds").toString()
                    .replace(",", ", "));
            same(g.best(), e.get("best_val_acc1"), what + " best");
            same(g.last(), e.get("last_val_acc1"), what + " last");
            same(g.finalTrainLoss(), e.get("final_train_loss"), what + " final train loss");
            for (int k = 0; k < g.perEpoch().size(); k++) {
                same(g.perEpoch().get(k).valAcc1(), e.get("per_epoch").get(k).get("val_acc1"), what + " val epoch " + (k + 1));
                same(g.perEpoch().get(k).trainLoss(), e.get("per_epoch").get(k).get("train_loss"), what + " train epoch " + (k + 1));
            }
        }
    }

    @Test
    void aMissingEpochCountsOneSeedFewerThereAndATruncatedLogIsLeftOut() {
        Comparison.Group leno = group("lenoresnet", 50);
        assertThat(leno.perEpoch().get(1).valAcc1().n()).isEqualTo(2);
        assertThat(leno.perEpoch().get(2).valAcc1().n()).isEqualTo(3);
        assertThat(leno.complete().get(1).notes()).containsExactly("val.log has no row for epoch 2");
        Comparison.Group preact = group("preactresnet", 50);
        assertThat(preact.complete()).hasSize(2);
        assertThat(preact.incomplete()).singleElement().satisfies(r -> assertThat(r.problem())
                .isEqualTo(root.resolve("preactresnet50/seed2/train.log") + " line 4: truncated or not numbers (3\t0.53)"));
    }

    @Test
    void pairedDifferencesAndIntervalsAreScipys() {
        assertThat(comparison.differences()).hasSize(expected.get("differences").size());
        for (int i = 0; i < comparison.differences().size(); i++) {
            Comparison.Difference d = comparison.differences().get(i);
            JsonNode e = expected.get("differences").get(i);
            String what = d.arch() + d.depth() + " " + d.quantity();
            assertThat(List.of(d.arch(), d.depth(), d.quantity(), d.seeds().toString())).as(what).isEqualTo(List.of(
                    e.get("arch").asText(), e.get("depth").asInt(), e.get("quantity").asText(),
                    e.get("seeds").toString().replace(",", ", ")));
            assertThat(d.interval().n()).isEqualTo(e.get("n").asInt());
            assertThat(d.interval().mean()).as(what).isCloseTo(e.get("mean").asDouble(), within(1e-9));
            assertThat(d.won()).as(what).isEqualTo(e.get("won").asInt());
            assertThat(d.lost()).as(what).isEqualTo(e.get("lost").asInt());
            for (String k : List.of("sd", "ci_low", "ci_high")) {
                double v = k.equals("sd") ? d.interval().sd() : k.equals("ci_low") ? d.interval().low() : d.interval().high();
                if (e.get(k).isNull()) {
                    assertThat(v).as(what + " " + k).isNaN();
                } else {
                    assertThat(v).as(what + " " + k).isCloseTo(e.get(k).asDouble(), within(1e-9));
                }
            }
        }
    }

    @Test
    void theSentencesSayWhatTheIntervalsResolve() {
        assertThat(comparison.sentences()).containsExactly(
                "pre-act ResNet-50 minus ResNet-50 (best val Acc@1): -1.9 points, 95% interval -24.3 to +20.5, 2 seeds (won 0): "
                        + "not resolved",
                "LeNo-ResNet-50 minus ResNet-50 (best val Acc@1): -4.5 points, 95% interval -10.0 to +1.0, 3 seeds (won 0): "
                        + "not resolved",
                "pre-act ResNet-101 minus ResNet-101 (best val Acc@1): +8.4 points, 1 seed: no interval (it takes 2 seeds or more)",
                "LeNo-ResNet-101 minus ResNet-101 (best val Acc@1): " + String.format(java.util.Locale.ROOT, "%+.1f",
                        expected.get("differences").get(6).get("mean").asDouble())
                        + " points, 1 seed: no interval (it takes 2 seeds or more)");
        Comparison.Difference last = comparison.differences().get(3);
        assertThat(last.sentence()).isEqualTo("LeNo-ResNet-50 minus ResNet-50 (last val Acc@1): -5.1 points, 95% interval "
                + "-8.2 to -2.0, 3 seeds (won 0): resolved (ResNet-50 higher)");
    }

    @Test
    void theSummaryFilesHoldEveryNumberAndNameEveryRunFolder(@TempDir Path tmp) throws IOException {
        ComparisonFiles.write(comparison, tmp);
        List<String> tsv = Files.readAllLines(tmp.resolve("summary.tsv"));
        assertThat(tsv.get(0)).isEqualTo(ComparisonFiles.TSV_HEADER);
        assertThat(tsv).allMatch(l -> l.split("\t", -1).length == 15);
        assertThat(tsv).contains(String.join("\t", "run", "50", "preactresnet", "", "2", "", "", "0", "", "", "", "", "",
                "incomplete: " + root.resolve("preactresnet50/seed2/train.log") + " line 4: truncated or not numbers (3 0.53)",
                root.resolve("preactresnet50/seed2").toString()));
        JsonNode oneSeed = expected.get("differences").get(4);
        assertThat(tsv).contains(String.join("\t", "difference", "101", "preactresnet", "resnet", "0", "best_val_acc1", "", "1",
                String.valueOf(comparison.differences().get(4).interval().mean()), "", "", "", "1", "one seed: no interval", ""));
        assertThat(oneSeed.get("ci_low").isNull()).isTrue();
        assertThat(tsv.stream().filter(l -> l.startsWith("group\t101\t")).toList()).allMatch(l -> l.contains("\tone seed: no sd\t"));
        JsonNode json = new ObjectMapper().readTree(tmp.resolve("summary.json").toFile());
        assertThat(json.get("differences").get(3).get("resolved").asBoolean()).isTrue();
        assertThat(json.get("differences").get(3).get("ci_high").asDouble())
                .isCloseTo(expected.get("differences").get(3).get("ci_high").asDouble(), within(1e-9));
        assertThat(json.get("differences").get(4).get("ci_low").isNull()).isTrue();
        assertThat(json.get("differences").get(4).get("note").asText()).isEqualTo("one seed: no interval");
        assertThat(json.get("runs")).hasSize(12);
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("summary.json", "summary.tsv");
        }
    }

    @Test
    void anUnreadableOrMissingLogMakesTheRunIncompleteAndSaysWhichFile(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("seed0");
        Fixtures.copyTree(root.resolve("resnet50/seed0"), run);
        Files.delete(run.resolve("train.log"));
        Files.createDirectory(run.resolve("train.log"));
        SeedRun r = SeedRun.read("resnet", 50, 0, run, 3);
        assertThat(r.complete()).isFalse();
        assertThat(r.problem()).startsWith(run.resolve("train.log") + ": cannot read (");
        Files.delete(run.resolve("train.log"));
        assertThat(SeedRun.read("resnet", 50, 0, run, 3).problem()).isEqualTo(run.resolve("train.log") + ": missing");
        assertThat(SeedRun.read("resnet", 50, 0, root.resolve("resnet50/seed0"), 4).problem())
                .isEqualTo(root.resolve("resnet50/seed0/train.log") + ": stops at epoch 3 of 4");
    }

    @Test
    void thePageHoldsTheSentencesTablesAndSpreadAndIsSelfContained(@TempDir Path tmp) throws IOException {
        List<ComparisonReport.Planned> planned = new ArrayList<>();
        for (SeedRun r : plan(root)) {
            planned.add(new ComparisonReport.Planned(r.arch(), r.depth(), r.seed(), r.dir()));
        }
        List<String> printed = new ComparisonReport("resnet", 3, planned).write(tmp);
        assertThat(printed).containsExactly("=> incomplete, left out: " + comparison.runs().get(7).problem(),
                "=> " + comparison.sentences().get(0), "=> " + comparison.sentences().get(1), "=> " + comparison.sentences().get(2),
                "=> " + comparison.sentences().get(3));
        String html = Files.readString(tmp.resolve("report.html"));
        for (String sentence : comparison.sentences()) {
            assertThat(html).contains("<li class=\"" + (sentence.endsWith(": resolved") ? "resolved" : "unresolved") + "\">"
                    + SummaryTable.escape(sentence) + "</li>");
        }
        assertThat(html).contains("<td>-8.21 to -2.00</td>").contains("<td>79.63 ± 5.44</td>")
                .contains("id=\"chart-acc1\"").contains("id=\"chart-loss\"").contains("id=\"chart-ratio-50\"")
                .contains("id=\"chart-ratio-101\"").contains("Incomplete, left out: " + SummaryTable.escape(comparison.runs().get(7).problem()));
        assertThat(html).doesNotContainPattern("<script[^>]+src=").doesNotContainPattern("<link[^>]+href=").doesNotContain("{{")
                .contains("default-src 'none'");
        JsonNode data = ReportTest.inlinedData(html);
        assertThat(data.get("summary").get("sentences").toString()).isEqualTo(new ObjectMapper().valueToTree(comparison.sentences()).toString());
        JsonNode resnet50 = data.get("models").get(0);
        assertThat(resnet50.get("name").asText()).isEqualTo("ResNet-50");
        assertThat(resnet50.get("transitions").toString()).isEqualTo("[1,4,8,14]");
        assertThat(resnet50.get("params").asLong()).isEqualTo(ReportTest.referenceParams("resnet50") - (1000L - 10) * 2049);
        // the spread at initialisation, from the three CSVs read by hand
        JsonNode init = resnet50.get("ratios").get("init");
        assertThat(init.get("n").asInt()).isEqualTo(3);
        for (int block = 1; block <= 16; block++) {
            double logSum = 0;
            double min = Double.MAX_VALUE;
            double max = 0;
            for (int seed = 0; seed < 3; seed++) {
                String line = Files.readAllLines(root.resolve("resnet50/seed" + seed + "/gradnorm/init/resnet50.csv")).get(block);
                double ratio = Double.parseDouble(line.split(",")[5]);
                logSum += Math.log(ratio);
                min = Math.min(min, ratio);
                max = Math.max(max, ratio);
            }
            JsonNode row = init.get("rows").get(block - 1);
            assertThat(row.get(0).asInt()).isEqualTo(block);
            assertThat(row.get(1).asDouble()).isCloseTo(Math.exp(logSum / 3), within(1e-12));
            assertThat(row.get(2).asDouble()).isEqualTo(min);
            assertThat(row.get(3).asDouble()).isEqualTo(max);
        }
        assertThat(data.get("models").get(1).get("ratios").get("model_best").get("n").asInt()).as("the incomplete run left out")
                .isEqualTo(2);
    }

    private static Comparison.Group group(String arch, int depth) {
        return comparison.groups().stream().filter(g -> g.arch().equals(arch) && g.depth() == depth).findFirst().orElseThrow();
    }

    private static void same(Comparison.Stat s, JsonNode e, String what) {
        assertThat(s.n()).as(what + " n").isEqualTo(e.get("n").asInt());
        assertThat(s.mean()).as(what + " mean").isCloseTo(e.get("mean").asDouble(), within(1e-9));
        if (e.get("sd").isNull()) {
            assertThat(s.sd()).as(what + " sd").isNaN();
        } else {
            assertThat(s.sd()).as(what + " sd").isCloseTo(e.get("sd").asDouble(), within(1e-9));
        }
    }
}
