package org.leno.internal.serve;

import java.time.Duration;
import java.util.Optional;
import org.leno.internal.data.decode.ImageDecoder;

/**
 * How a {@link InferenceServer} listens, batches and defends itself.
 *
 * @param host            the address to bind (loopback unless told otherwise)
 * @param port            the port, 0 for any free one
 * @param maxBatch        the most images one forward pass computes
 * @param maxDelay        how long the first image of a batch waits for others
 * @param queueCapacity   per model, the most images admitted and not yet answered; more are refused with 503
 * @param maxBodyBytes    the largest request body; larger ones are refused with 413
 * @param deadline        per request, from its arrival to its answer; later it is answered 504
 * @param idleTimeout     a connection that sends nothing for this long is closed
 * @param minBodyRate     a request body arriving slower than this many bytes a second is cut off
 * @param maxConnections  connections held at once; more wait to be accepted
 * @param decodeThreads   threads decoding images and parsing request bodies
 * @param maxImagePixels  images whose header claims more pixels are refused (the project's decompression-bomb limit)
 * @param token           when present, every request but the health checks needs {@code Authorization: Bearer TOKEN}
 * @param drainTimeout    on stop, how long requests in flight may take to finish
 * @param warmUp          before a model answers, compute one batch of every size up to maxBatch (where this
 *                        project's kernel checks and oneDNN's first-call costs fall, instead of on the first requests)
 */
public record ServeConfig(String host, int port, int maxBatch, Duration maxDelay, int queueCapacity, long maxBodyBytes,
                          Duration deadline, Duration idleTimeout, long minBodyRate, int maxConnections, int decodeThreads,
                          long maxImagePixels, Optional<String> token, Duration drainTimeout,
                          boolean warmUp) {
    public static final String LOOPBACK = "127.0.0.1";
    /** The largest body limit: a body is read into one array. */
    public static final long MAX_BODY = 1L << 30;

    public ServeConfig {
        positive("--max-batch", maxBatch);
        positive("--queue", queueCapacity);
        positive("--max-body-bytes", maxBodyBytes);
        positive("--max-connections", maxConnections);
        positive("--decode-threads", decodeThreads);
        positive("--max-image-pixels", maxImagePixels);
        if (maxBodyBytes > MAX_BODY) {
            throw new IllegalArgumentException("--max-body-bytes must be at most " + MAX_BODY + ", got " + maxBodyBytes);
        }
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("--port must be 0 to 65535, got " + port);
        }
        if (maxDelay.isNegative() || deadline.isNegative() || deadline.isZero() || idleTimeout.isNegative()
                || idleTimeout.isZero() || drainTimeout.isNegative() || minBodyRate < 0) {
            throw new IllegalArgumentException("delays and timeouts must be positive");
        }
        if (token.isPresent() && token.get().isBlank()) {
            throw new IllegalArgumentException("the token is empty");
        }
    }

    /** Loopback, port 8080, batches of up to 16 within 5 ms, 64 queued images a model, 16 MB bodies, 30 s deadline. */
    public static ServeConfig defaults() {
        return new ServeConfig(LOOPBACK, 8080, 16, Duration.ofMillis(5), 64, 16L << 20, Duration.ofSeconds(30),
                Duration.ofSeconds(10), 16_384, 4096, Math.max(1, Runtime.getRuntime().availableProcessors()),
                ImageDecoder.DEFAULT_MAX_PIXELS, Optional.empty(), Duration.ofSeconds(30), true);
    }

    public ServeConfig withAddress(String host, int port) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    public ServeConfig withBatching(int maxBatch, Duration maxDelay, int queueCapacity) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    public ServeConfig withLimits(long maxBodyBytes, Duration deadline, long maxImagePixels) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    public ServeConfig withConnections(Duration idleTimeout, long minBodyRate, int maxConnections) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    public ServeConfig withDecodeThreads(int decodeThreads) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    public ServeConfig withToken(Optional<String> token) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    public ServeConfig withDrainTimeout(Duration drainTimeout) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    public ServeConfig withWarmUp(boolean warmUp) {
        return new ServeConfig(host, port, maxBatch, maxDelay, queueCapacity, maxBodyBytes, deadline, idleTimeout,
                minBodyRate, maxConnections, decodeThreads, maxImagePixels, token, drainTimeout, warmUp);
    }

    /** As the record's, with the token hidden. */
    @Override
    public String toString() {
        return "ServeConfig[" + host + ":" + port + ", maxBatch=" + maxBatch + ", maxDelay=" + maxDelay + ", queue="
                + queueCapacity + ", maxBodyBytes=" + maxBodyBytes + ", deadline=" + deadline + ", token="
                + (token.isPresent() ? "(set)" : "(none)") + "]";
    }

    private static void positive(String name, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be at least 1, got " + value);
        }
    }
}
