package org.leno.api;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.leno.internal.predict.FoldedForward;
import org.leno.internal.serve.ClassifierModel;
import org.leno.internal.serve.InferenceServer;
import org.leno.internal.serve.ServeConfig;

/**
 * An HTTP server for trained models, as {@code leno serve} runs it, started from an application:
 * TorchServe's {@code POST /predictions/NAME}, the Open Inference Protocol v2 ({@code /v2/...}) and
 * Prometheus' {@code GET /metrics}, with dynamic batching, a bounded queue, body and image limits,
 * per-request deadlines and an optional bearer token (see docs/serving.md).
 *
 * <pre>{@code
 * try (ModelServer server = ModelServer.builder().model("fashion", Path.of("results")).port(0).start()) {
 *     System.out.println("listening on port " + server.port());
 *     server.awaitStopped();   // until close() is called from another thread
 * }
 * }</pre>
 *
 * <p>It listens on 127.0.0.1 unless {@link Builder#host(String)} says otherwise. {@link #close()}
 * stops gracefully: readiness goes to 503, no new request is taken, the requests in flight are
 * answered, then the models are released.
 */
public final class ModelServer implements AutoCloseable {
    private final InferenceServer server;

    private ModelServer(InferenceServer server) {
        this.server = server;
    }

    /**
     * A builder with {@code leno serve}'s defaults: 127.0.0.1:8080, batches of up to 16 within 5 ms,
     * 64 queued images per model, 16 MB bodies, a 30 s deadline, no token.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The port listened on (the one the system chose when the builder said 0).
     *
     * @return the port
     */
    public int port() {
        return server.port();
    }

    /**
     * The names of the models served, in the order given.
     *
     * @return the model names, as they appear in URLs
     */
    public List<String> models() {
        return server.models();
    }

    /**
     * Waits until the server has stopped ({@link #close()} from another thread).
     *
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public void awaitStopped() throws InterruptedException {
        server.awaitStopped();
    }

    /** Stops gracefully: answers the requests in flight, then releases the models. Closing twice is harmless. */
    @Override
    public void close() {
        server.close();
    }

    /** How to start a {@link ModelServer}. */
    public static final class Builder {
        private final Map<String, Path> models = new LinkedHashMap<>();
        private ServeConfig config = ServeConfig.defaults();
        private boolean bfloat16;
        private Consumer<String> requestLog = line -> { };

        private Builder() {
        }

        /**
         * Adds a model to serve.
         *
         * @param name    the name in URLs: letters, digits, '.', '_' and '-', at most 64
         * @param weights a {@code leno train} results folder or a checkpoint with its model card
         * @return this builder
         */
        public Builder model(String name, Path weights) {
            models.put(name, weights);
            return this;
        }

        /**
         * The address to listen on (default 127.0.0.1: this machine only).
         *
         * @param host an address or host name
         * @return this builder
         */
        public Builder host(String host) {
            config = config.withAddress(host, config.port());
            return this;
        }

        /**
         * The port to listen on (default 8080).
         *
         * @param port a port, or 0 for any free one ({@link ModelServer#port()} tells which)
         * @return this builder
         */
        public Builder port(int port) {
            config = config.withAddress(config.host(), port);
            return this;
        }

        /**
         * Dynamic batching and the queue's bound.
         *
         * @param maxBatch      the most images per forward pass
         * @param maxDelay      how long the first image of a batch waits for more
         * @param queueCapacity per model, the most images admitted and not yet answered (more get 503)
         * @return this builder
         */
        public Builder batching(int maxBatch, Duration maxDelay, int queueCapacity) {
            config = config.withBatching(maxBatch, maxDelay, queueCapacity);
            return this;
        }

        /**
         * The limits of one request.
         *
         * @param maxBodyBytes   the largest body (larger get 413)
         * @param deadline       from arrival to answer (later get 504)
         * @param maxImagePixels images whose header claims more pixels are refused (400)
         * @return this builder
         */
        public Builder limits(long maxBodyBytes, Duration deadline, long maxImagePixels) {
            config = config.withLimits(maxBodyBytes, deadline, maxImagePixels);
            return this;
        }

        /**
         * Requires {@code Authorization: Bearer TOKEN} on every request but the health checks (401 without).
         *
         * @param token the token
         * @return this builder
         */
        public Builder token(String token) {
            config = config.withToken(Optional.of(token));
            return this;
        }

        /**
         * Computes in bfloat16, as {@link Classifier#load(Path, boolean)}.
         *
         * @param bfloat16 weights and activations in bfloat16
         * @return this builder
         */
        public Builder bfloat16(boolean bfloat16) {
            this.bfloat16 = bfloat16;
            return this;
        }

        /**
         * Whether each model first computes a batch of every size up to the largest before it answers
         * (default true: the first requests then do not pay for this machine's kernel checks).
         *
         * @param warmUp compute the warm-up batches
         * @return this builder
         */
        public Builder warmUp(boolean warmUp) {
            config = config.withWarmUp(warmUp);
            return this;
        }

        /**
         * Where the request log goes: one JSON line per request (time, method, path, status, model, batch, ms, remote).
         *
         * @param lines receives each line, from the server's threads (default: dropped)
         * @return this builder
         */
        public Builder requestLog(Consumer<String> lines) {
            this.requestLog = lines;
            return this;
        }

        /**
         * Loads the models and starts listening.
         *
         * @return the running server; close it to stop
         * @throws LenoException if a model cannot be loaded, a setting is invalid, or the address cannot be listened on
         */
        public ModelServer start() {
            return Errors.guard(() -> {
                FoldedForward.Precision precision = bfloat16 ? FoldedForward.Precision.BF16 : FoldedForward.Precision.FP32;
                return new ModelServer(InferenceServer.start(config, models,
                        ClassifierModel.loader(config.maxImagePixels(), precision), requestLog));
            });
        }
    }
}
