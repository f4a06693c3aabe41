package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.Cli;
import sun.misc.Signal;

/**
 * `leno serve` end to end, in this JVM, on an ephemeral loopback port: a tiny trained run served, its
 * answers equal to `leno predict --json`'s probabilities, then SIGTERM, which ends the command with 0.
 */
class ServeCommandTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void servesWhatPredictComputesAndStopsOnSigterm() throws Exception {
        Path run = dir.resolve("run");
        Cli.Result trained = Cli.run("train", "--epochs", "1", "--train-samples", "32", "--val-samples", "16", "-b", "16",
                "--seed", "3", "--train_crop_size", "24", "--val_resize", "28", "--val_crop_size", "24",
                "--result_path", run.toString());
        assertThat(trained.exitCode()).as(trained.err()).isZero();
        List<Path> images = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Path image = dir.resolve("img" + i + ".png");
            ImageIO.write(pattern(28 + 7 * i, 28, i), "png", image.toFile());
            images.add(image);
        }
        List<String> args = new ArrayList<>(List.of("predict", "--weights", run.toString(), "--json", "--topk", "10"));
        images.forEach(p -> args.add(p.toString()));
        Cli.Result predicted = Cli.run(args.toArray(String[]::new));
        assertThat(predicted.exitCode()).as(predicted.err()).isZero();
        List<String> expected = predicted.out().lines().toList();

        Path portFile = dir.resolve("port");
        CompletableFuture<Cli.Result> serving = CompletableFuture.supplyAsync(() -> Cli.run("serve", "--weights",
                "fashion=" + run, "--port", "0", "--port-file", portFile.toString(), "--max-batch", "4"));
        int port = awaitPort(portFile, serving);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String base = "http://127.0.0.1:" + port;
        for (int i = 0; i < images.size(); i++) {
            JsonNode want = JSON.readTree(expected.get(i)).get("topk");
            byte[] png = Files.readAllBytes(images.get(i));
            JsonNode torchServe = JSON.readTree(post(client, base + "/predictions/fashion?topk=10", png).body());
            Map<String, Object> v2 = Map.of("inputs", List.of(Map.of("name", "image", "datatype", "BYTES", "shape",
                    List.of(1), "data", List.of(Base64.getEncoder().encodeToString(png)))));
            JsonNode probabilities = JSON.readTree(post(client, base + "/v2/models/fashion/infer",
                    JSON.writeValueAsBytes(v2)).body()).get("outputs").get(0).get("data");
            for (JsonNode entry : want) {
                double p = entry.get("prob").asDouble();
                assertThat(torchServe.get(entry.get("label").asText()).asDouble()).isCloseTo(p, within(1e-6));
                assertThat(probabilities.get(entry.get("index").asInt()).asDouble()).isCloseTo(p, within(1e-6));
            }
        }
        JsonNode card = JSON.readTree(client.send(HttpRequest.newBuilder(URI.create(base + "/v2/models/fashion")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(card.get("parameters").get("class_names").get(9).asText()).isEqualTo("Ankle boot");
        assertThat(card.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,3,24,24]");

        Signal.raise(new Signal("TERM"));
        Cli.Result stopped = serving.get(60, TimeUnit.SECONDS);
        assertThat(stopped.exitCode()).as(stopped.err()).isZero();
        assertThat(stopped.err()).contains("stopped");
        List<String> log = stopped.out().lines().toList();
        assertThat(log).hasSize(2 * images.size() + 1);
        JsonNode line = JSON.readTree(log.get(0));
        assertThat(line.get("method").asText()).isEqualTo("POST");
        assertThat(line.get("path").asText()).isEqualTo("/predictions/fashion");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("batch").asInt()).isEqualTo(1);
        assertThat(line.get("ms").asDouble()).isPositive();
    }

    static HttpResponse<String> post(HttpClient client, String url, byte[] body) throws Exception {
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r;
    }

    static int awaitPort(Path portFile, CompletableFuture<Cli.Result> serving) throws Exception {
        for (int i = 0; i < 1200 && !Files.exists(portFile); i++) {
            if (serving.isDone()) {
                throw new AssertionError("serve ended: " + serving.get().err());
            }
            Thread.sleep(50);
        }
        return Integer.parseInt(Files.readString(portFile).strip());
    }

    static BufferedImage pattern(int w, int h, int seed) {
        BufferedImage b = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                b.setRGB(x, y, ((x * 7 + y * 13 + seed * 50) % 256) << 16 | ((x * y + seed) % 256) << 8 | (y * 5 % 256));
            }
        }
        return b;
    }
}
