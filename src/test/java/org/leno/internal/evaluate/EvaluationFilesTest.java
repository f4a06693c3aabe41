package org.leno.internal.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The folder `leno validate` writes: its files, their rows, and that it is replaced whole or not at all. */
class EvaluationFilesTest {
    /** 6 images of 3 classes named with a comma and a quote; image 4 is the most confident mistake. */
    static EvaluationMetrics small() {
        List<String> names = List.of("cat, big", "dog \"x\"", "eel");
        float[][] logits = {{3, 0, 0}, {2, 1, 0}, {0, 2, 0}, {1.5f, 1, 0}, {0, 6, 0}, {0, 0, 1}};
        int[] labels = {0, 0, 1, 1, 0, 2};
        List<ScoredImage> images = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            images.add(ScoredImage.of("img" + i + ".png", labels[i], logits[i], EvaluationMetrics.TOP_K));
        }
        return EvaluationMetrics.of(names, images);
    }

    static Map<String, Object> summary(EvaluationMetrics e) {
        Evaluator.Result r = new Evaluator.Result(e, Optional.empty(), List.of(new Evaluator.Unreadable("bad.png", "bad.png: not an image")),
                7, 0.5);
        return EvaluationSummary.of(r, new EvaluationSummary.Context("w.pth", "data", "val", Tta.NONE, 32,
                List.of("--weights", "w.pth"), Map.of("arch", "resnet")));
    }

    @Test
    void writesEveryFileWithTheirRows(@TempDir Path dir) throws Exception {
        EvaluationMetrics e = small();
        Path out = dir.resolve("eval-val");
        EvaluationFiles.write(out, summary(e), e);
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).containsExactly("confused_pairs.csv",
                    "confusion.csv", "confusion.png", "per_class.csv", "predictions.csv", "reliability.png", "summary.json");
        }
        List<String> perClass = Files.readAllLines(out.resolve("per_class.csv"));
        assertThat(perClass.get(0)).isEqualTo("class_index,class,support,predicted,correct,accuracy,precision,recall,f1,mean_confidence");
        assertThat(perClass.get(1)).startsWith("0,\"cat, big\",3,3,2,66.66666666666");
        assertThat(perClass.get(2)).startsWith("1,\"dog \"\"x\"\"\",2,2,1,50.0,0.5,");
        List<String> predictions = Files.readAllLines(out.resolve("predictions.csv"));
        assertThat(predictions.get(0)).isEqualTo("image,actual,predicted,correct,confidence,nll,top1,p1,top2,p2,top3,p3,top4,p4,top5,p5");
        assertThat(predictions.get(1)).startsWith("img4.png,\"cat, big\",\"dog \"\"x\"\"\",0,0.99");
        assertThat(predictions).hasSize(7);
        assertThat(Files.readAllLines(out.resolve("confusion.csv"))).containsExactly(
                "actual \\ predicted,\"cat, big\",\"dog \"\"x\"\"\",eel", "\"cat, big\",2,1,0", "\"dog \"\"x\"\"\",1,1,0", "eel,0,0,1");
        assertThat(Files.readAllLines(out.resolve("confused_pairs.csv"))).containsExactly("rank,actual,predicted,count,share_of_actual",
                "1,\"cat, big\",\"dog \"\"x\"\"\",1,0.3333333333333333", "2,\"dog \"\"x\"\"\",\"cat, big\",1,0.5");
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertThat(s.get("complete").asBoolean()).isTrue();
        assertThat(s.get("acc1").asDouble()).isEqualTo(e.acc1());
        assertThat(s.get("images").asInt()).isEqualTo(6);
        assertThat(s.get("unreadable_images").asInt()).isEqualTo(1);
        assertThat(s.get("unreadable").get(0).get("image").asText()).isEqualTo("bad.png");
        assertThat(s.get("reliability")).hasSize(15);
        assertThat(s.get("most_confused")).hasSize(2);
        assertThat(s.get("flags").get(0).asText()).isEqualTo("--weights");
        assertThat(s.get("model_card").get("arch").asText()).isEqualTo("resnet");
        for (String png : List.of("confusion.png", "reliability.png")) {
            BufferedImage image = ImageIO.read(out.resolve(png).toFile());
            assertThat(image.getWidth()).as(png).isGreaterThan(500);
        }
    }

    @Test
    void aFailedWriteLeavesTheEarlierEvaluationAndNoPartialFolder(@TempDir Path dir) throws Exception {
        EvaluationMetrics e = small();
        Path out = dir.resolve("eval-val");
        EvaluationFiles.write(out, summary(e), e);
        String before = Files.readString(out.resolve("summary.json"));
        Map<String, Object> broken = new LinkedHashMap<>(summary(e));
        broken.put("not serialisable", new Object());
        assertThatThrownBy(() -> EvaluationFiles.write(out, broken, e)).hasMessageStartingWith("cannot write " + out);
        assertThat(Files.readString(out.resolve("summary.json"))).isEqualTo(before);
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("eval-val");
        }
        EvaluationFiles.write(out, summary(e), e);
        assertThat(out.resolve("summary.json")).exists();
    }

    @Test
    void refusesToReplaceWhatIsNotAnEvaluation(@TempDir Path dir) throws Exception {
        Path other = Files.createDirectories(dir.resolve("mine"));
        Files.writeString(other.resolve("notes.txt"), "keep me");
        assertThatThrownBy(() -> EvaluationFiles.checkTarget(other, "--out")).hasMessage("--out " + other
                + " is a folder without summary.json (not an evaluation to replace); give a new or empty folder");
        Path file = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> EvaluationFiles.checkTarget(file, "--out")).hasMessage("--out " + file + " is a file, not a folder");
        EvaluationFiles.checkTarget(Files.createDirectories(dir.resolve("empty")), "--out");
    }

    @Test
    void theConfusionFigureShowsTheTopConfusionsOfManyClasses() {
        int classes = 200;
        List<String> names = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            names.add("n" + c);
        }
        List<ScoredImage> images = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            int label = i % classes;
            float[] logits = new float[classes];
            int predicted = i % 7 == 0 ? (label + 1 + i % 3) % classes : label;
            logits[predicted] = 5;
            images.add(ScoredImage.of("i" + i, label, logits, EvaluationMetrics.TOP_K));
        }
        EvaluationMetrics e = EvaluationMetrics.of(names, images);
        List<Integer> shown = EvaluationCharts.shownClasses(e);
        assertThat(shown).hasSizeLessThanOrEqualTo(EvaluationCharts.READABLE_CLASSES).hasSizeGreaterThan(10);
        EvaluationMetrics.Confusion top = e.mostConfused(1).get(0);
        assertThat(shown).contains(top.actual(), top.predicted());
        assertThat(EvaluationCharts.confusion(e).getTitle()).startsWith("Top confusions: the " + shown.size() + " classes");
    }
}
