package org.leno.internal.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.Fixtures;

class ReportTest {
    static final List<String> RUNS = List.of("resnet50", "preactresnet50", "lenoresnet50");
    static List<Path> dirs;
    static String html;
    static JsonNode data;

    @BeforeAll
    static void page() throws IOException {
        dirs = RUNS.stream().map(r -> Fixtures.path("runs/" + r)).toList();
        html = new Report().html(dirs);
        data = inlinedData(html);
    }

    static JsonNode inlinedData(String page) throws IOException {
        Matcher m = Pattern.compile("<script type=\"application/json\" id=\"leno-data\">(.*?)</script>", Pattern.DOTALL)
                .matcher(page);
        assertThat(m.find()).as("the data block").isTrue();
        return new ObjectMapper().readTree(m.group(1));
    }

    /** The file's rows as numbers, split by hand: the comparison does not go through the report's reader. */
    static List<double[]> rows(Path file, String separator) throws IOException {
        List<String> lines = Files.readAllLines(file);
        List<double[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            rows.add(Stream.of(line.split(separator)).mapToDouble(Double::parseDouble).toArray());
        }
        return rows;
    }

    static void assertSameRows(JsonNode table, Path file, String separator) throws IOException {
        List<double[]> expected = rows(file, separator);
        assertThat(table.get("columns").size()).isEqualTo(expected.get(0).length);
        assertThat(table.get("rows").size()).as(file.toString()).isEqualTo(expected.size());
        for (int r = 0; r < expected.size(); r++) {
            for (int c = 0; c < expected.get(r).length; c++) {
                assertThat(table.get("rows").get(r).get(c).asDouble()).as("%s row %d column %d", file, r + 1, c)
                        .isEqualTo(expected.get(r)[c]);
            }
        }
    }

    @Test
    void theInlinedDataHoldsEveryRunsLogsTimingAndGradientNorms() throws IOException {
        assertThat(data.get("runs")).hasSize(3);
        for (int i = 0; i < RUNS.size(); i++) {
            JsonNode run = data.get("runs").get(i);
            Path dir = dirs.get(i);
            assertThat(run.get("name").asText()).isEqualTo(RUNS.get(i));
            assertSameRows(run.get("train"), dir.resolve("train.log"), "\t");
            assertSameRows(run.get("val"), dir.resolve("val.log"), "\t");
            assertSameRows(run.get("timing"), dir.resolve("timing.tsv"), "\t");
            assertSameRows(run.get("gradnorm"), dir.resolve("gradnorm.tsv"), "\t");
            List<String> index = Files.readAllLines(dir.resolve("gradnorm/" + RUNS.get(i) + "_checkpoints.tsv"));
            assertThat(run.get("checkpoints")).hasSize(index.size() - 1);
            for (int k = 1; k < index.size(); k++) {
                String[] f = index.get(k).split("\t");
                JsonNode cp = run.get("checkpoints").get(k - 1);
                assertThat(cp.get("label").asText()).isEqualTo(f[0]);
                assertThat(cp.get("epoch").asInt()).isEqualTo(Integer.parseInt(f[1]));
                assertSameRows(cp, dir.resolve("gradnorm").resolve(f[3]), ",");
            }
        }
    }

    @Test
    void theSummaryEqualsWhatTheLogsSay() throws IOException {
        for (int i = 0; i < RUNS.size(); i++) {
            JsonNode s = data.get("runs").get(i).get("summary");
            List<double[]> val = rows(dirs.get(i).resolve("val.log"), "\t");
            double[] best = val.stream().max((a, b) -> Double.compare(a[2], b[2])).orElseThrow();
            double[] last = val.get(val.size() - 1);
            assertThat(s.get("epochs").asInt()).isEqualTo((int) last[0]);
            assertThat(s.get("best_acc1").asDouble()).isEqualTo(best[2]);
            assertThat(s.get("best_acc5").asDouble()).isEqualTo(best[3]);
            assertThat(s.get("best_epoch").asInt()).isEqualTo((int) best[0]);
            assertThat(s.get("last_acc1").asDouble()).isEqualTo(last[2]);
            List<double[]> timing = rows(dirs.get(i).resolve("timing.tsv"), "\t");
            double wall = timing.stream().mapToDouble(t -> t[1] + t[2]).sum();
            double images = timing.stream().mapToDouble(t -> t[1] * t[3]).sum();
            double train = timing.stream().mapToDouble(t -> t[1]).sum();
            assertThat(s.get("wall_seconds").asDouble()).isCloseTo(wall, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(s.get("images_per_s").asDouble()).isCloseTo(images / train, org.assertj.core.data.Offset.offset(1e-9));
            assertThat(html).contains(String.format(Locale.ROOT, "%.2f / %.2f (epoch %d)", best[2], best[3], (int) best[0]));
        }
    }

    @Test
    void parametersMatchTheReferenceTableWithTheRunsClassCount() throws IOException {
        for (int i = 0; i < RUNS.size(); i++) {
            JsonNode model = data.get("runs").get(i).get("model");
            // reference/models.tsv counts 1000 classes; fc has 2048 weights and 1 bias per class
            long reference = referenceParams(RUNS.get(i));
            int classes = model.get("n_classes").asInt();
            assertThat(classes).isEqualTo(10);
            assertThat(model.get("params").asLong()).isEqualTo(reference - (1000L - classes) * 2049);
            assertThat(model.get("macs_size").asInt()).isEqualTo(28);
            assertThat(model.get("macs_size_source").asText()).isEqualTo("train crop");
            assertThat(model.get("transitions").toString()).isEqualTo("[1,4,8,14]");
        }
        assertThat(html).contains("at 28x28 (train crop)");
    }

    static long referenceParams(String model) throws IOException {
        try (InputStream in = ReportTest.class.getResourceAsStream("/reference/models.tsv")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(l -> l.split("\t"))
                    .filter(f -> f[0].equals(model)).mapToLong(f -> Long.parseLong(f[1])).findFirst().orElseThrow();
        }
    }

    @Test
    void onlyTheFlagsThatDifferAreListedAndEveryChartHasAContainer(@TempDir Path tmp) throws IOException {
        assertThat(data.get("differing_flags").toString()).isEqualTo("[\"arch\"]");
        assertThat(html).contains("<th>other flags (args.json)</th><td>the same in all runs</td>");
        for (String id : List.of("loss", "acc1", "lr", "ratio-checkpoints", "ratio-tracked", "heat-0", "heat-1", "heat-2")) {
            assertThat(html).contains("id=\"chart-" + id + "\"").contains("data-csv=\"" + id + "\"");
        }
        Path faster = tmp.resolve("faster");
        Fixtures.copyTree(dirs.get(2), faster);
        Path args = faster.resolve("args.json");
        Files.writeString(args, Files.readString(args).replace("\"lr\":0.01,", "\"lr\":0.02,"));
        Files.writeString(faster.resolve("resume_args.json"), "{\"epochs\":6}\n");
        String page = new Report().html(List.of(dirs.get(2), faster));
        assertThat(inlinedData(page).get("differing_flags").toString()).isEqualTo("[\"epochs\",\"lr\"]");
        assertThat(page).contains("<th><code>lr</code></th><td>0.01</td><td>0.02</td>")
                .contains("<th><code>epochs</code></th><td>4</td><td>6</td>");
    }

    @Test
    void thePageIsSelfContained() {
        assertThat(html).contains("Licensed to the Apache Software Foundation").contains("echarts");
        assertThat(html).doesNotContainPattern("<script[^>]+src=").doesNotContainPattern("<link[^>]+href=");
        assertThat(html).doesNotContain("{{");
        assertThat(html).contains("default-src 'none'");
    }

    @Test
    void aRunWithoutTimingShowsNotAvailableAndOneWithoutLogsIsAOneLineError(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("lenoresnet50");
        Fixtures.copyTree(dirs.get(2), run);
        Files.delete(run.resolve("timing.tsv"));
        JsonNode d = inlinedData(new Report().html(List.of(run)));
        assertThat(d.get("runs").get(0).get("summary").get("wall_seconds").isNull()).isTrue();
        String page = new Report().html(List.of(run));
        assertThat(page).contains("<th>wall time (train + val)</th><td>n/a</td>").contains("<th>training images/s</th><td>n/a</td>");
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThatThrownBy(() -> new Report().html(List.of(run, empty)))
                .hasMessage(empty + ": no train.log or val.log (not a leno train --result_path?)");
        Cli.Result r = Cli.run("report", run.toString(), empty.toString());
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("leno report: error: " + empty + ": no train.log or val.log (not a leno train --result_path?)");
    }

    @Test
    void theCommandWritesThePageAtomicallyWhereAsked(@TempDir Path tmp) throws IOException {
        Path out = tmp.resolve("sub/page.html");
        Cli.Result r = Cli.run("report", dirs.get(0).toString(), dirs.get(1).toString(), "--out", out.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(inlinedData(Files.readString(out)).get("runs")).hasSize(2);
        try (Stream<Path> left = Files.list(out.getParent())) {
            assertThat(left).containsExactly(out);
        }
    }

    @Test
    void aPartlyWrittenLastLineAndARepeatedEpochAreHandled(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("run");
        Fixtures.copyTree(dirs.get(0), run);
        List<String> val = Files.readAllLines(run.resolve("val.log"));
        String repeated = val.get(1).replaceFirst("\t[0-9.]+\t", "\t9.9999\t");
        Files.writeString(run.resolve("val.log"), String.join("\n", val) + "\n" + repeated + "\n3\t0.5", StandardCharsets.UTF_8);
        JsonNode rows = inlinedData(new Report().html(List.of(run))).get("runs").get(0).get("val").get("rows");
        assertThat(rows).hasSize(val.size() - 1);
        assertThat(rows.get(0).get(1).asDouble()).isEqualTo(9.9999);
    }

    @Test
    void aRunWithoutGradientNormFilesGetsANoteInsteadOfEmptyCharts(@TempDir Path tmp) throws IOException {
        Path run = tmp.resolve("plain");
        Files.createDirectories(run);
        for (String f : List.of("args.json", "train.log", "val.log")) {
            Files.copy(dirs.get(1).resolve(f), run.resolve(f));
        }
        String page = new Report().html(List.of(run));
        assertThat(page).contains("No gradient norm data").doesNotContain("id=\"chart-ratio").doesNotContain("id=\"chart-heat")
                .contains("id=\"chart-loss\"").doesNotContain("other flags (args.json)");
        JsonNode r = inlinedData(page).get("runs").get(0);
        assertThat(r.get("checkpoints")).isEmpty();
        assertThat(r.get("gradnorm").isNull()).isTrue();
        assertThat(r.get("model").get("transitions").toString()).isEqualTo("[1,4,8,14]");
    }
}
