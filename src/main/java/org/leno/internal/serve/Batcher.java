package org.leno.internal.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching for one model: images wait in a queue (bounded by the slot's admission), and one
 * thread takes up to {@code maxBatch} of them, waiting at most {@code maxDelay} after the first for
 * more, and computes them in one forward pass. An image whose request was already answered (its
 * deadline passed) is left out. Images of different generations (a load swapped the model in
 * between) go into different batches.
 */
final class Batcher implements AutoCloseable {
    /** The logits of one image and the size of the batch it was computed in. */
    record Computed(float[] logits, int batchSize) {}

    private record Job(ModelSlot.Generation generation, float[] input, CompletableFuture<Computed> result) {}

    private final String model;
    private final int maxBatch;
    private final long maxDelayNanos;
    private final Metrics metrics;
    private final BlockingQueue<Job> queue = new LinkedBlockingQueue<>();
    private final Thread worker;
    private volatile boolean stopping;
    private Job carried;

    Batcher(String model, int maxBatch, long maxDelayNanos, Metrics metrics) {
        this.model = model;
        this.maxBatch = maxBatch;
        this.maxDelayNanos = maxDelayNanos;
        this.metrics = metrics;
        this.worker = new Thread(this::run, "leno-serve-batch-" + model);
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Queues one image, taking over the caller's hold on {@code generation} (released once the image
     * is computed or left out); the future completes with its logits, or fails with an {@link HttpError}.
     */
    CompletableFuture<Computed> submit(ModelSlot.Generation generation, float[] input) {
        CompletableFuture<Computed> result = new CompletableFuture<>();
        if (stopping) {
            generation.release();
            result.completeExceptionally(new HttpError(HttpError.Kind.DRAINING, "the server is stopping"));
        } else {
            queue.add(new Job(generation, input, result));
        }
        return result;
    }

    int queued() {
        return queue.size();
    }

    private void run() {
        while (!stopping || !queue.isEmpty() || carried != null) {
            try {
                List<Job> batch = collect();
                if (!batch.isEmpty()) {
                    compute(batch);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (Job j = queue.poll(); j != null; j = queue.poll()) {
            j.generation().release();
            j.result().completeExceptionally(new HttpError(HttpError.Kind.DRAINING, "the server is stopping"));
        }
    }

    /** The next batch: jobs of one generation whose requests still wait, at most maxBatch. */
    private List<Job> collect() throws InterruptedException {
        List<Job> batch = new ArrayList<>();
        Job first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
        carried = null;
        if (first == null) {
            return batch;
        }
        if (first.result().isDone()) {
            first.generation().release();
            return batch;
        }
        batch.add(first);
        long until = System.nanoTime() + maxDelayNanos;
        while (batch.size() < maxBatch) {
            Job next = queue.poll(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            if (next.result().isDone()) {
                next.generation().release();
                continue;
            }
            if (next.generation() != first.generation()) {
                carried = next;
                break;
            }
            batch.add(next);
        }
        return batch;
    }

    private void compute(List<Job> batch) {
        List<float[]> inputs = new ArrayList<>();
        for (Job j : batch) {
            inputs.add(j.input());
        }
        long start = System.nanoTime();
        float[][] logits;
        try {
            logits = batch.get(0).generation().model().logits(inputs);
        } catch (RuntimeException | OutOfMemoryError e) {
            HttpError error = new HttpError(HttpError.Kind.INTERNAL, "the forward pass failed: " + e.getMessage());
            batch.forEach(j -> j.result().completeExceptionally(error));
            return;
        } finally {
            batch.forEach(j -> j.generation().release());
        }
        metrics.batch(model, batch.size(), (System.nanoTime() - start) / 1e9);
        for (int i = 0; i < batch.size(); i++) {
            batch.get(i).result().complete(new Computed(logits[i], batch.size()));
        }
    }

    /** Computes what is queued, then stops (waiting at most a minute). */
    @Override
    public void close() {
        stopping = true;
        try {
            worker.join(60_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
