package org.leno.internal.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The model server: models loaded by name, one batcher each, a pool of decoding threads, and Jetty
 * listening (see docs/serving.md). {@link #close()} stops gracefully: not ready, no new request,
 * the requests in flight answered (up to the drain timeout), then the models closed.
 */
public final class InferenceServer implements AutoCloseable {
    /** What a model may be called: it appears in URLs and metric labels. */
    public static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    private static final int HTTP_THREADS = 32;

    private final Server jetty;
    private final ServerConnector connector;
    private final Map<String, ModelSlot> slots;
    private final Map<String, Batcher> batchers;
    private final ExecutorService decoders;
    private final ScheduledExecutorService timer;
    private final ExecutorService loads;
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);

    private InferenceServer(ServeConfig config, Map<String, ModelSlot> slots, ModelLoader loader, Consumer<String> log) {
        this.slots = slots;
        Metrics metrics = new Metrics();
        this.batchers = new LinkedHashMap<>();
        for (ModelSlot slot : slots.values()) {
            Batcher b = new Batcher(slot.name(), config.maxBatch(), config.maxDelay().toNanos(), metrics);
            batchers.put(slot.name(), b);
            metrics.addModel(slot.name(), b::queued, slot::admitted);
        }
        this.decoders = Executors.newFixedThreadPool(config.decodeThreads(), daemons("leno-serve-decode"));
        this.timer = Executors.newSingleThreadScheduledExecutor(daemons("leno-serve-deadline"));
        this.loads = Executors.newSingleThreadExecutor(daemons("leno-serve-load"));
        Inference inference = new Inference(config, batchers, decoders, timer);
        SlowHeaders slowHeaders = new SlowHeaders(config.idleTimeout(), timer);
        Routes routes = new Routes(slots, metrics, config.token().map(BearerToken::new), log, draining::get, inference,
                new ModelLoads(weights -> warmedUp(loader.load(weights), config), loads, metrics, draining::get), slowHeaders);
        QueuedThreadPool threads = new QueuedThreadPool(HTTP_THREADS, 4);
        threads.setName("leno-serve-http");
        threads.setDaemon(true);
        this.jetty = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setMinRequestDataRate(config.minBodyRate());
        this.connector = new ServerConnector(jetty, 1, 1, new HttpConnectionFactory(http));
        connector.setHost(config.host());
        connector.setPort(config.port());
        connector.setIdleTimeout(config.idleTimeout().toMillis());
        connector.addEventListener(slowHeaders);
        jetty.addConnector(connector);
        jetty.addBean(new NetworkConnectionLimit(config.maxConnections(), connector));
        jetty.setErrorHandler(new JsonErrors(metrics, log));
        jetty.setHandler(new GracefulHandler(routes));
        jetty.setStopTimeout(config.drainTimeout().toMillis());
        jetty.setStopAtShutdown(false);
    }

    /**
     * Loads every model (name to run folder or checkpoint, in order) with {@code loader}, then
     * listens. Request lines go to {@code log}. A model that cannot be loaded stops the start.
     */
    public static InferenceServer start(ServeConfig config, Map<String, Path> models, ModelLoader loader,
                                        Consumer<String> log) {
        if (models.isEmpty()) {
            throw new IllegalArgumentException("no model to serve");
        }
        Map<String, ModelSlot> slots = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Path> m : models.entrySet()) {
                if (!MODEL_NAME.matcher(m.getKey()).matches()) {
                    throw new IllegalArgumentException("model name '" + m.getKey() + "': use letters, digits, '.', '_' and '-'"
                            + " (at most 64, not starting with '.', '_' or '-')");
                }
                ServedModel model = loader.load(m.getValue());
                slots.put(m.getKey(), new ModelSlot(m.getKey(), m.getValue(), model, config.queueCapacity()));
                warmUp(model, config);
            }
            InferenceServer server = new InferenceServer(config, slots, loader, log);
            server.listen();
            return server;
        } catch (RuntimeException e) {
            slots.values().forEach(ModelSlot::retire);
            throw e;
        }
    }

    /** One forward pass of every batch size up to maxBatch, on zero inputs, if the configuration asks for it. */
    static void warmUp(ServedModel model, ServeConfig config) {
        if (!config.warmUp()) {
            return;
        }
        float[] zeros = new float[model.description().inputLength()];
        List<float[]> batch = new ArrayList<>();
        for (int size = 1; size <= config.maxBatch(); size++) {
            batch.add(zeros);
            model.logits(batch);
        }
    }

    private static ServedModel warmedUp(ServedModel model, ServeConfig config) {
        try {
            warmUp(model, config);
            return model;
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private void listen() {
        try {
            jetty.start();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on " + connector.getHost() + ":" + connector.getPort() + " ("
                    + e.getMessage() + ")", e);
        }
    }

    /** The port listened on (the one chosen when the configuration said 0). */
    public int port() {
        return connector.getLocalPort();
    }

    public String host() {
        return connector.getHost();
    }

    public List<String> models() {
        return List.copyOf(slots.keySet());
    }

    /** Waits until {@link #close()} has finished (from another thread). */
    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }

    /** Stops gracefully: not ready, no new request, the requests in flight answered, the models closed. */
    @Override
    public void close() {
        if (!draining.compareAndSet(false, true)) {
            awaitQuietly();
            return;
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            // stopping goes on: the models must still be closed
        }
        batchers.values().forEach(Batcher::close);
        loads.shutdown();
        awaitTermination(loads);
        decoders.shutdownNow();
        timer.shutdownNow();
        slots.values().forEach(ModelSlot::retire);
        stopped.countDown();
    }

    private void awaitQuietly() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void awaitTermination(ExecutorService pool) {
        try {
            pool.awaitTermination(5, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ThreadFactory daemons(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

}
