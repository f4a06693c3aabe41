package org.leno.internal.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.leno.internal.predict.ImageClassifier;

/** The server's protocol, batching, limits and lifecycle, on loopback, with {@link FakeModel} (no libtorch). */
class InferenceServerTest {
    static final ObjectMapper JSON = new ObjectMapper();
    final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    final List<String> log = new CopyOnWriteArrayList<>();
    final List<FakeModel> loaded = new CopyOnWriteArrayList<>();
    InferenceServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** A server on an ephemeral loopback port serving model "fake" (and "other"), each load a new FakeModel. */
    InferenceServer start(UnaryOperator<ServeConfig> tweak, FakeModel first) {
        ServeConfig config = tweak.apply(ServeConfig.defaults().withAddress("127.0.0.1", 0).withWarmUp(false));
        Map<String, Path> models = new LinkedHashMap<>();
        models.put("fake", Path.of("run-a"));
        models.put("other", Path.of("run-b"));
        server = InferenceServer.start(config, models, weights -> {
            FakeModel m = loaded.isEmpty() && weights.equals(Path.of("run-a")) ? first : new FakeModel(loaded.size());
            loaded.add(m);
            return m;
        }, log::add);
        return server;
    }

    InferenceServer start() {
        return start(c -> c, new FakeModel(0));
    }

    HttpResponse<String> send(String method, String path, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    CompletableFuture<HttpResponse<String>> sendAsync(String path, byte[] body) {
        return client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** An error answer: the status, JSON of one line with an "error" message, no stack trace. */
    static void assertError(HttpResponse<String> r, int status) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.body()).doesNotContain("\n").doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(json(r).get("error").asText()).isNotBlank();
        assertThat(r.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
    }

    static byte[] infer(String datatype, List<?> shape, List<?> data) throws IOException {
        Map<String, Object> input = Map.of("name", "x", "datatype", datatype, "shape", shape, "data", data);
        return JSON.writeValueAsBytes(Map.of("id", "req-1", "inputs", List.of(input)));
    }

    static double[] softmax(float[] logits) {
        double[] p = new double[logits.length];
        for (ImageClassifier.Scored s : ImageClassifier.topK(logits, logits.length)) {
            p[s.index()] = s.probability();
        }
        return p;
    }

    @Test
    void predictionsAnswerTheTopClassesByNameRawOrMultipart() throws Exception {
        start();
        double[] expected = softmax(FakeModel.logits(1.5f, 0));
        HttpResponse<String> raw = send("POST", "/predictions/fake", FakeModel.image(1.5f), "Content-Type", "image/png");
        assertThat(raw.statusCode()).as(raw.body()).isEqualTo(200);
        JsonNode top = json(raw);
        assertThat(top.fieldNames()).toIterable().containsExactly("dog", "cat", "bird");
        assertThat(top.get("dog").asDouble()).isEqualTo(expected[1]);
        assertThat(top.get("bird").asDouble()).isEqualTo(expected[2]);

        String boundary = "XyZ123";
        byte[] multipart = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nIMG9\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"data\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"
                + "IMG1.5\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpResponse<String> form = send("POST", "/predictions/fake?topk=1", multipart,
                "Content-Type", "multipart/form-data; boundary=" + boundary);
        assertThat(form.statusCode()).as(form.body()).isEqualTo(200);
        assertThat(json(form).size()).isEqualTo(1);
        assertThat(json(form).get("dog").asDouble()).isEqualTo(expected[1]);
    }

    @Test
    void v2InferTakesFp32TensorsAndEncodedImages() throws Exception {
        start();
        List<Float> pixels = new ArrayList<>();
        for (float v : new float[] {0.5f, -2f}) {
            for (int i = 0; i < 12; i++) {
                pixels.add(v);
            }
        }
        HttpResponse<String> fp32 = send("POST", "/v2/models/fake/infer", infer("FP32", List.of(2, 3, 2, 2), pixels));
        assertThat(fp32.statusCode()).as(fp32.body()).isEqualTo(200);
        JsonNode out = json(fp32);
        assertThat(out.get("model_name").asText()).isEqualTo("fake");
        assertThat(out.get("id").asText()).isEqualTo("req-1");
        JsonNode probs = out.get("outputs").get(0);
        assertThat(probs.get("name").asText()).isEqualTo("probabilities");
        assertThat(probs.get("shape").toString()).isEqualTo("[2,3]");
        double[] second = softmax(FakeModel.logits(-2f, 0));
        for (int c = 0; c < 3; c++) {
            assertThat(probs.get("data").get(3 + c).asDouble()).isCloseTo(second[c], within(1e-7));
        }

        String b64 = Base64.getEncoder().encodeToString(FakeModel.image(0.5f));
        Map<String, Object> body = Map.of("inputs", List.of(Map.of("name", "image", "datatype", "BYTES", "shape", List.of(1),
                "data", List.of(b64))), "outputs", List.of(Map.of("name", "probabilities", "parameters",
                Map.of("classification", 2)), Map.of("name", "logits")));
        HttpResponse<String> bytes = send("POST", "/v2/models/fake/infer", JSON.writeValueAsBytes(body));
        assertThat(bytes.statusCode()).as(bytes.body()).isEqualTo(200);
        JsonNode outputs = json(bytes).get("outputs");
        assertThat(outputs.get(0).get("datatype").asText()).isEqualTo("BYTES");
        assertThat(outputs.get(0).get("data").get(0).asText()).endsWith(":1:dog");
        assertThat(outputs.get(1).get("data").get(1).floatValue()).isEqualTo(1.0f);
    }

    @Test
    void badTensorsImagesAndJsonAre400UnknownModels404() throws Exception {
        start();
        assertError(send("POST", "/v2/models/fake/infer", "{\"inputs\": [".getBytes(StandardCharsets.UTF_8)), 400);
        assertError(send("POST", "/v2/models/fake/infer", "[1,2]".getBytes(StandardCharsets.UTF_8)), 400);
        assertError(send("POST", "/v2/models/fake/infer", infer("FP32", List.of(1, 3, 2), List.of(1, 2))), 400);
        assertError(send("POST", "/v2/models/fake/infer", infer("FP32", List.of(1, 3, 3, 3), new ArrayList<>(
                Collections.nCopies(27, 1)))), 400);
        assertError(send("POST", "/v2/models/fake/infer", infer("INT8", List.of(1), List.of(1))), 400);
        assertError(send("POST", "/v2/models/fake/infer", infer("BYTES", List.of(1), List.of("!!notbase64"))), 400);
        assertError(send("POST", "/v2/models/fake/infer", infer("FP32", List.of(-1, 3, 2, 2), List.of(1))), 400);
        assertError(send("POST", "/predictions/fake", "GIF89a-not-really".getBytes(StandardCharsets.US_ASCII)), 400);
        assertError(send("POST", "/predictions/fake", new byte[0]), 400);
        assertError(send("POST", "/predictions/nope", FakeModel.image(1)), 404);
        assertError(send("GET", "/v2/models/..%2F..%2Fetc", null), 400);
        assertError(send("GET", "/v2/models/nope", null), 404);
        assertError(send("GET", "/predictions/fake", null), 405);
        assertError(send("GET", "/nothing/here", null), 404);
        assertThat(send("GET", "/v2/health/ready", null).statusCode()).isEqualTo(200);
        assertThat(log).allSatisfy(line -> assertThat(JSON.readTree(line).get("status").asInt()).isBetween(200, 599));
    }

    @Test
    void metadataCarriesTheModelCard() throws Exception {
        start();
        JsonNode m = json(send("GET", "/v2/models/fake", null));
        assertThat(m.get("name").asText()).isEqualTo("fake");
        assertThat(m.get("inputs").get(0).get("shape").toString()).isEqualTo("[-1,3,2,2]");
        assertThat(m.get("outputs").get(0).get("shape").toString()).isEqualTo("[-1,3]");
        assertThat(m.get("parameters").get("class_names").toString()).isEqualTo("[\"cat\",\"dog\",\"bird\"]");
        assertThat(m.get("parameters").get("preprocessing").get("crop").asInt()).isEqualTo(2);
        assertThat(json(send("GET", "/v2/health/live", null)).get("live").asBoolean()).isTrue();
    }

    @Test
    void warmUpComputesEveryBatchSizeBeforeListeningAndBeforeASwap() throws Exception {
        FakeModel model = new FakeModel(0);
        start(c -> c.withBatching(4, Duration.ofMillis(5), 64).withWarmUp(true), model);
        assertThat(model.batches).containsExactly(1, 2, 3, 4);
        assertThat(send("POST", "/v2/repository/models/fake/load", null).statusCode()).isEqualTo(200);
        assertThat(loaded.get(loaded.size() - 1).batches).containsExactly(1, 2, 3, 4);
    }

    @Test
    void concurrentRequestsAreBatchedUpToMaxBatch() throws Exception {
        FakeModel model = new FakeModel(0).hold();
        start(c -> c.withBatching(4, Duration.ofMillis(50), 64), model);
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            answers.add(sendAsync("/predictions/fake", FakeModel.image(i)));
        }
        awaitQueued(8);
        model.release(100);
        for (CompletableFuture<HttpResponse<String>> a : answers) {
            assertThat(a.get().statusCode()).isEqualTo(200);
        }
        assertThat(model.batches).allSatisfy(b -> assertThat(b).isBetween(1, 4));
        assertThat(model.batches.stream().mapToInt(Integer::intValue).sum()).isEqualTo(9);
        assertThat(model.batches).contains(4);
        assertThat(log).anySatisfy(line -> assertThat(JSON.readTree(line).get("batch").asInt()).isEqualTo(4));
    }

    /** Waits until {@code n} images wait for a forward pass (the first batch is held in the model). */
    void awaitQueued(int n) throws Exception {
        for (int i = 0; i < 200; i++) {
            String metrics = send("GET", "/metrics", null).body();
            if (metrics.contains("leno_admitted_images{model=\"fake\"} " + (n + 1))
                    || metrics.contains("leno_queue_depth{model=\"fake\"} " + n)) {
                return;
            }
            Thread.sleep(25);
        }
    }

    @Test
    void aFullQueueAnswers503WithRetryAfterAndTheDeadline504() throws Exception {
        FakeModel model = new FakeModel(0).hold();
        start(c -> c.withBatching(1, Duration.ZERO, 2).withLimits(1 << 20, Duration.ofMillis(700), 1000), model);
        CompletableFuture<HttpResponse<String>> a = sendAsync("/predictions/fake", FakeModel.image(1));
        CompletableFuture<HttpResponse<String>> b = sendAsync("/predictions/fake", FakeModel.image(2));
        awaitAdmitted(2);
        HttpResponse<String> refused = send("POST", "/predictions/fake", FakeModel.image(3));
        assertError(refused, 503);
        assertThat(refused.headers().firstValue("retry-after")).contains("1");
        assertError(a.get(), 504);
        assertError(b.get(), 504);
        model.release(100);
        assertThat(send("POST", "/predictions/fake", FakeModel.image(3)).statusCode()).isEqualTo(200);
        String metrics = send("GET", "/metrics", null).body();
        assertThat(metrics).contains("leno_errors_total{kind=\"overloaded\"} 1", "leno_errors_total{kind=\"deadline\"} 2");
    }

    void awaitAdmitted(int n) throws Exception {
        for (int i = 0; i < 200 && !send("GET", "/metrics", null).body()
                .contains("leno_admitted_images{model=\"fake\"} " + n); i++) {
            Thread.sleep(25);
        }
    }

    @Test
    void largeBodiesAre413AndMalformedHttpGetsJson() throws Exception {
        start(c -> c.withLimits(1000, Duration.ofSeconds(10), 1000), new FakeModel(0));
        assertError(send("POST", "/predictions/fake", new byte[2000]), 413);
        String chunked = "POST /predictions/fake HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + ("100\r\n" + "a".repeat(256) + "\r\n").repeat(8) + "0\r\n\r\n";
        assertThat(raw(chunked)).startsWith("HTTP/1.1 413").contains("{\"error\":");
        assertThat(raw("POST /predictions/fake HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000000\r\n\r\nabc"))
                .startsWith("HTTP/1.1 413");
        String badLine = raw("HELLO\r\n\r\n");
        assertThat(badLine).startsWith("HTTP/1.1 400").contains("{\"error\":").doesNotContain("<html");
        String hugeHeader = raw("GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-A: " + "a".repeat(20_000) + "\r\n\r\n");
        assertThat(hugeHeader).startsWith("HTTP/1.1 431").contains("{\"error\":");
        assertThat(send("GET", "/v2/health/ready", null).statusCode()).isEqualTo(200);
    }

    /** Sends {@code request} as it is and returns what comes back before the server closes or 5 s pass. */
    String raw(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            StringBuilder text = new StringBuilder();
            byte[] buf = new byte[8192];
            try {
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                    text.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (text.indexOf("}") > 0) {
                        break;
                    }
                }
            } catch (IOException e) {
                // the server closed: what was read is the answer
            }
            return text.toString();
        }
    }

    @Test
    void aClientTricklingItsHeadersIsCutOffThoughEachByteResetsTheIdleTimeout() throws Exception {
        start(c -> c.withConnections(Duration.ofSeconds(1), 1024, 100), new FakeModel(0));
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.setSoTimeout(200);
            OutputStream out = s.getOutputStream();
            out.write("GET /v2/health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            boolean closed = false;
            StringBuilder answered = new StringBuilder();
            for (int i = 0; i < 25 && !closed; i++) {
                try {
                    out.write('a');
                    out.flush();
                    while (!closed) {
                        int b = s.getInputStream().read();
                        closed = b < 0;
                        if (!closed) {
                            answered.append((char) b);
                        }
                    }
                } catch (SocketTimeoutException e) {
                    // still open: trickle on
                } catch (IOException e) {
                    closed = true;
                }
            }
            assertThat(answered.toString()).doesNotStartWith("HTTP/1.1 2");
            assertThat(closed).as("closed within 5 s").isTrue();
        }
        assertThat(send("GET", "/v2/health/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aTokenIsRequiredExceptForHealthChecks() throws Exception {
        start(c -> c.withToken(Optional.of("s3cret")), new FakeModel(0));
        HttpResponse<String> none = send("POST", "/predictions/fake", FakeModel.image(1));
        assertError(none, 401);
        assertThat(none.headers().firstValue("www-authenticate")).contains("Bearer");
        assertError(send("POST", "/predictions/fake", FakeModel.image(1), "Authorization", "Bearer s3cre"), 401);
        assertError(send("GET", "/metrics", null, "Authorization", "Basic czNjcmV0"), 401);
        assertThat(send("POST", "/predictions/fake", FakeModel.image(1), "Authorization", "Bearer s3cret").statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/v2/health/ready", null).statusCode()).isEqualTo(200);
    }

    @Test
    void aLoadSwapsTheModelWithoutDroppingARequest() throws Exception {
        FakeModel first = new FakeModel(0).hold();
        start(c -> c.withBatching(1, Duration.ZERO, 64), first);
        CompletableFuture<HttpResponse<String>> inFlight = sendAsync("/predictions/fake", FakeModel.image(1));
        awaitAdmitted(1);
        HttpResponse<String> load = send("POST", "/v2/repository/models/fake/load", null);
        assertThat(load.statusCode()).as(load.body()).isEqualTo(200);
        FakeModel second = loaded.get(loaded.size() - 1);
        assertThat(second).isNotSameAs(first);
        assertThat(first.closed).isFalse();
        first.release(1);
        assertThat(inFlight.get().statusCode()).isEqualTo(200);
        assertThat(json(inFlight.get()).get("dog").asDouble()).isEqualTo(softmax(FakeModel.logits(1, 0))[1]);
        HttpResponse<String> after = send("POST", "/v2/models/fake/infer", infer("BYTES", List.of(1),
                List.of(Base64.getEncoder().encodeToString(FakeModel.image(1)))));
        float offset = loaded.size() - 1;
        assertThat(json(after).get("outputs").get(0).get("data").get(1).floatValue())
                .isEqualTo((float) softmax(FakeModel.logits(1, offset))[1]);
        assertThat(first.closed).isTrue();
        assertThat(second.closed).isFalse();
        assertThat(second.batches).hasSize(1);
    }

    @Test
    void closeAnswersTheRequestsInFlightThenStops() throws Exception {
        FakeModel model = new FakeModel(0).hold();
        start(c -> c.withBatching(1, Duration.ZERO, 64), model);
        CompletableFuture<HttpResponse<String>> inFlight = sendAsync("/predictions/fake", FakeModel.image(1));
        awaitAdmitted(1);
        int port = server.port();
        Thread stopper = new Thread(server::close);
        stopper.start();
        Thread.sleep(300);
        assertThat(stopper.isAlive()).isTrue();
        model.release(1);
        assertThat(inFlight.get().statusCode()).isEqualTo(200);
        stopper.join(10_000);
        assertThat(stopper.isAlive()).isFalse();
        assertThat(model.closed).isTrue();
        assertThat(canConnect(port)).isFalse();
    }

    static boolean canConnect(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
