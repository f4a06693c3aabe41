package org.leno.internal.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.leno.internal.serve.ClassifierModel;
import org.leno.internal.serve.InferenceServer;
import org.leno.internal.serve.ServeConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;
import sun.misc.SignalHandler;

@Command(mixinStandardHelpOptions = true, name = "serve",
        description = {"Serve trained models over HTTP: TorchServe's POST /predictions/NAME, the Open Inference Protocol v2 "
                + "(/v2/health/ready, /v2/models/NAME, /v2/models/NAME/infer, /v2/repository/models/NAME/load) and "
                + "GET /metrics. One JSON line per request on stdout. SIGTERM or Ctrl-C answers the requests in flight, "
                + "then exits 0. See docs/serving.md."})
final class ServeCommand implements Callable<Integer> {
    @Option(names = "--weights", required = true, paramLabel = "[NAME=]RUN_DIR|CKPT",
            description = "A model to serve: a leno train results folder or a checkpoint with its model card, named NAME "
                    + "(default: the folder's name, or the file's name up to its first dot). Repeat for several models.")
    List<String> weights;

    @Option(names = "--host", defaultValue = ServeConfig.LOOPBACK,
            description = "Address to listen on (default: ${DEFAULT-VALUE}, this machine only).")
    String host;

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--port-file", paramLabel = "FILE", description = "Write the port listened on to FILE once ready.")
    Path portFile;

    @Option(names = "--max-batch", defaultValue = "16", description = "Most images per forward pass (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--max-delay-ms", defaultValue = "5",
            description = "How long the first image of a batch waits for more (default: ${DEFAULT-VALUE}).")
    long maxDelayMs;

    @Option(names = "--queue", defaultValue = "64",
            description = "Per model, images admitted and not yet answered; more get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-body-bytes", defaultValue = "16777216",
            description = "Largest request body; larger get 413 (default: ${DEFAULT-VALUE}).")
    long maxBodyBytes;

    @Option(names = "--timeout-ms", defaultValue = "30000",
            description = "Per request, from arrival to answer; later gets 504 (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Require 'Authorization: Bearer TOKEN' (TOKEN: the file's first line) on all but the health checks.")
    Path tokenFile;

    @Option(names = "--decode-threads", description = "Threads decoding images (default: the number of cores).")
    Integer decodeThreads;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--drain-seconds", defaultValue = "30",
            description = "On SIGTERM, how long the requests in flight may take (default: ${DEFAULT-VALUE}).")
    long drainSeconds;

    @Option(names = "--no-warmup", description = "Answer at once, without first computing a batch of every size up to "
            + "--max-batch (then the first requests of each size wait for this machine's kernel checks, see docs/kernels.md).")
    boolean noWarmUp;

    @Option(names = "--amp", defaultValue = "none", paramLabel = "none|bf16", description = "As leno predict's (default: ${DEFAULT-VALUE}).")
    String amp;

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Override
    public Integer call() throws Exception {
        ServeConfig defaults = ServeConfig.defaults();
        ServeConfig config = defaults.withAddress(host, port)
                .withBatching(maxBatch, Duration.ofMillis(maxDelayMs), queue)
                .withLimits(maxBodyBytes, Duration.ofMillis(timeoutMs), imageLimit.maxImagePixels())
                .withDecodeThreads(decodeThreads == null ? defaults.decodeThreads() : decodeThreads)
                .withToken(token(tokenFile))
                .withDrainTimeout(Duration.ofSeconds(drainSeconds))
                .withWarmUp(!noWarmUp);
        Map<String, Path> models = models(weights);
        threads.apply();
        CountDownLatch signalled = new CountDownLatch(1);
        Map<Signal, SignalHandler> previous = onSignals(signalled);
        try (InferenceServer server = InferenceServer.start(config, models,
                ClassifierModel.loader(config.maxImagePixels(), PredictCommand.precision(amp)), System.out::println)) {
            if (portFile != null) {
                writePort(portFile, server.port());
            }
            System.err.println("leno serve: listening on http://" + server.host() + ":" + server.port() + "/ (models: "
                    + String.join(", ", server.models()) + ")");
            signalled.await();
            System.err.println("leno serve: stopping; answering the requests in flight");
        } finally {
            previous.forEach(Signal::handle);
        }
        System.err.println("leno serve: stopped");
        return 0;
    }

    /** Written whole or not at all, for a script that waits for the file. */
    private static void writePort(Path file, int port) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, port + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** SIGTERM and SIGINT count the latch down instead of stopping the JVM at once; the handlers before, to restore. */
    private static Map<Signal, SignalHandler> onSignals(CountDownLatch signalled) {
        Map<Signal, SignalHandler> previous = new LinkedHashMap<>();
        for (String name : List.of("TERM", "INT")) {
            Signal s = new Signal(name);
            previous.put(s, Signal.handle(s, sig -> signalled.countDown()));
        }
        return previous;
    }

    static Map<String, Path> models(List<String> weights) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String w : weights) {
            int eq = w.indexOf('=');
            boolean named = eq > 0 && InferenceServer.MODEL_NAME.matcher(w.substring(0, eq)).matches();
            Path path = Path.of(named ? w.substring(eq + 1) : w);
            String name = named ? w.substring(0, eq) : defaultName(path);
            if (out.put(name, path) != null) {
                throw new IllegalArgumentException("--weights: two models named '" + name + "'; name them NAME=PATH");
            }
        }
        return out;
    }

    /** A folder's name, or a file's up to its first dot, in the characters a model name allows. */
    static String defaultName(Path path) {
        Path file = path.toAbsolutePath().normalize().getFileName();
        String base = file == null ? "model" : file.toString();
        if (!Files.isDirectory(path) && base.indexOf('.') > 0) {
            base = base.substring(0, base.indexOf('.'));
        }
        String clean = base.replaceAll("[^A-Za-z0-9._-]", "_");
        return InferenceServer.MODEL_NAME.matcher(clean).matches() ? clean : "model";
    }

    private static Optional<String> token(Path file) throws IOException {
        if (file == null) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--token-file " + file + ": no such file");
        }
        List<String> lines = new ArrayList<>(Files.readAllLines(file, StandardCharsets.UTF_8));
        String token = lines.isEmpty() ? "" : lines.get(0).strip();
        if (token.isEmpty()) {
            throw new IllegalArgumentException("--token-file " + file + ": the first line is empty");
        }
        return Optional.of(token);
    }
}
