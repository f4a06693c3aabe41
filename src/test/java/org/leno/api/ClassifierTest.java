package org.leno.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelCard;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.testing.Cli;

/** The library API's classifier on a LeNo-ResNet-50 of 10 classes at 24 x 24, shipped as safetensors with its card. */
class ClassifierTest {
    static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    @TempDir
    static Path dir;
    static Path model;
    static Path greyPng;
    static Path rgbPng;
    static Classifier shared;

    @BeforeAll
    static void shipAModel() throws Exception {
        model = dir.resolve("model.safetensors");
        ModelCard card = new ModelCard(ModelConfig.of(Arch.LENORESNET, 50, 10), FASHION, new ModelCard.Preprocessing(28, 24,
                "pil", "bilinear", List.of(0.485, 0.456, 0.406), List.of(0.229, 0.224, 0.225), ModelCard.GREY_REPLICATE));
        Natives.seed(7);
        try (ResidualNetwork net = ModelRegistry.create(card.model()); NativeScope scope = NativeScope.open()) {
            SafeTensors.write(model, StateDict.lazy(net), ModelFile.safetensorsMetadata(card));
        }
        greyPng = dir.resolve("grey.png");
        ImageIO.write(pattern(BufferedImage.TYPE_BYTE_GRAY, 28, 28), "png", greyPng.toFile());
        rgbPng = dir.resolve("rgb.png");
        ImageIO.write(pattern(BufferedImage.TYPE_INT_RGB, 40, 30), "png", rgbPng.toFile());
        shared = Classifier.load(model);
    }

    @AfterAll
    static void closeIt() {
        shared.close();
    }

    static BufferedImage pattern(int type, int w, int h) {
        BufferedImage b = new BufferedImage(w, h, type);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int v = (x * 37 + y * 11) % 256;
                b.setRGB(x, y, 0xff000000 | v << 16 | (255 - v) << 8 | (v * 3 % 256));
            }
        }
        return b;
    }

    static double[] probabilities(List<Prediction> predictions) {
        double[] p = new double[10];
        predictions.forEach(x -> p[x.index()] = x.probability());
        return p;
    }

    @Test
    void theCardGivesNamesAndInputSize() {
        assertThat(shared.labels()).isEqualTo(FASHION);
        assertThat(shared.inputSize()).isEqualTo(24);
        List<Prediction> top = shared.predict(greyPng);
        assertThat(top).hasSize(Classifier.DEFAULT_TOP_K);
        assertThat(top).allSatisfy(p -> assertThat(p.label()).isEqualTo(FASHION.get(p.index())));
        assertThat(top.get(0).probability()).isGreaterThanOrEqualTo(top.get(1).probability());
        assertThat(probabilities(shared.predict(greyPng, 10))).as("softmax sums to 1")
                .satisfies(p -> assertThat(java.util.Arrays.stream(p).sum()).isCloseTo(1, within(1e-9)));
    }

    @Test
    void aPathItsBytesAndItsBufferedImageGiveTheSameProbabilities() throws Exception {
        for (Path file : List.of(greyPng, rgbPng)) {
            double[] byPath = probabilities(shared.predict(file, 10));
            assertThat(probabilities(shared.predict(Files.readAllBytes(file), 10))).containsExactly(byPath, within(1e-12));
            assertThat(probabilities(shared.predict(ImageIO.read(file.toFile()), 10))).as(file.toString())
                    .containsExactly(byPath, within(1e-6));
        }
        List<List<Prediction>> batch = shared.predictBatch(List.of(greyPng, Files.readAllBytes(rgbPng)), 10);
        assertThat(probabilities(batch.get(0))).containsExactly(probabilities(shared.predict(greyPng, 10)), within(1e-5));
        assertThat(probabilities(batch.get(1))).containsExactly(probabilities(shared.predict(rgbPng, 10)), within(1e-5));
    }

    @Test
    void theProbabilitiesAreTheClis() throws Exception {
        Cli.Result r = Cli.run("predict", "--weights", model.toString(), "--json", "--topk", "10", rgbPng.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode top = new ObjectMapper().readTree(r.out()).get("topk");
        double[] cli = new double[10];
        top.forEach(t -> cli[t.get("index").asInt()] = t.get("prob").asDouble());
        assertThat(probabilities(shared.predict(rgbPng, 10))).containsExactly(cli, within(1e-12));
        assertThat(top.get(0).get("label").asText()).isEqualTo(shared.predict(rgbPng, 1).get(0).label());
    }

    @Test
    void imagesOfAnySizeAndChannelCountAreClassifiedOrRefusedInOneLine() {
        for (int type : new int[] {BufferedImage.TYPE_BYTE_GRAY, BufferedImage.TYPE_USHORT_GRAY, BufferedImage.TYPE_INT_ARGB,
                BufferedImage.TYPE_4BYTE_ABGR, BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_BYTE_BINARY}) {
            assertThat(shared.predict(pattern(type, 50, 20), 3)).as("type " + type).hasSize(3);
        }
        assertThat(shared.predict(pattern(BufferedImage.TYPE_INT_RGB, 1, 1), 1)).hasSize(1);
        assertThat(shared.predict(pattern(BufferedImage.TYPE_INT_RGB, 3, 500), 1)).hasSize(1);
        BufferedImage huge = new BufferedImage(10_000, 9_000, BufferedImage.TYPE_BYTE_BINARY);
        assertThatThrownBy(() -> shared.predict(huge)).isInstanceOf(LenoException.class)
                .hasMessage("a 10000x9000 image is over the limit of 89478485 pixels");
        BufferedImage thin = new BufferedImage(1, 200_000, BufferedImage.TYPE_BYTE_BINARY);
        assertThatThrownBy(() -> shared.predict(thin)).isInstanceOf(LenoException.class)
                .hasMessageContaining("image 0 (BufferedImage): a 1x200000 image would be resized to 156800000 pixels");
        assertThatThrownBy(() -> shared.predict("not an image".getBytes())).isInstanceOf(LenoException.class)
                .hasMessageStartingWith("image 0 (bytes): not a decodable image");
        assertThatThrownBy(() -> shared.predictBatch(List.of(greyPng, 42), 1)).isInstanceOf(LenoException.class)
                .hasMessage("image 1 is a java.lang.Integer, not a Path, byte[] or BufferedImage");
        assertThatThrownBy(() -> shared.predict(greyPng, 0)).isInstanceOf(LenoException.class)
                .hasMessage("k must be at least 1, got 0");
    }

    @Test
    void wrongFilesAreOneLineExceptions() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "these are not weights at all");
        Path empty = Files.createDirectories(dir.resolve("empty-run"));
        for (Path bad : List.of(dir.resolve("missing.pth"), text, empty)) {
            assertThatThrownBy(() -> Classifier.load(bad)).as(bad.toString()).isInstanceOf(LenoException.class)
                    .hasMessageContaining(bad.toString()).satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
        assertThatThrownBy(() -> shared.predict(dir.resolve("none.png"))).isInstanceOf(LenoException.class)
                .hasMessageContaining("none.png");
    }

    @Test
    void aClosedClassifierRefusesWorkAndClosingTwiceIsHarmless() throws Exception {
        Classifier c = Classifier.load(model);
        assertThat(c.predict(greyPng, 1)).hasSize(1);
        c.close();
        c.close();
        assertThatThrownBy(() -> c.predict(greyPng)).isInstanceOf(LenoException.class).hasMessage("the classifier is closed");
        assertThatThrownBy(() -> c.predict(ImageIO.read(rgbPng.toFile()))).isInstanceOf(LenoException.class)
                .hasMessage("the classifier is closed");
        assertThatThrownBy(() -> c.save(dir.resolve("closed.safetensors"))).isInstanceOf(LenoException.class)
                .hasMessage("the classifier is closed");
    }

    @Test
    void concurrentCallsGiveTheSequentialResults() throws Exception {
        List<Object> images = List.of(greyPng, rgbPng, pattern(BufferedImage.TYPE_INT_ARGB, 33, 47),
                pattern(BufferedImage.TYPE_BYTE_GRAY, 64, 64));
        List<double[]> sequential = new ArrayList<>();
        for (Object image : images) {
            sequential.add(probabilities(shared.predictBatch(List.of(image), 10).get(0)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<double[]>> futures = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                Object image = images.get(i % images.size());
                futures.add(pool.submit(() -> probabilities(shared.predictBatch(List.of(image), 10).get(0))));
            }
            for (int i = 0; i < futures.size(); i++) {
                assertThat(futures.get(i).get()).as("call " + i).containsExactly(sequential.get(i % images.size()), within(1e-5));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aSavedClassifierLoadsBackWithItsCard() {
        Path saved = dir.resolve("saved.safetensors");
        shared.save(saved);
        try (Classifier again = Classifier.load(saved)) {
            assertThat(again.labels()).isEqualTo(FASHION);
            assertThat(probabilities(again.predict(rgbPng, 10))).containsExactly(probabilities(shared.predict(rgbPng, 10)),
                    within(1e-12));
        }
    }
}
