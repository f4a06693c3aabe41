package org.leno.internal.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/** Decodes and transforms several images at once on a thread pool, each failure kept with its image. */
public final class PreparedInputs {
    /** The model input of one image, or why there is none. */
    public record Prepared(float[] input, RuntimeException error) {
        public boolean ok() { return input != null; }
    }

    private PreparedInputs() {
    }

    /** Runs {@code tasks} on {@code pool} (in this thread when null); results in the tasks' order. */
    public static List<Prepared> prepare(List<Callable<float[]>> tasks, ExecutorService pool) {
        return submit(tasks, pool).get();
    }

    /**
     * Starts {@code tasks} on {@code pool} and returns at once (without a pool they run here, now),
     * so that the next batch decodes while the model computes this one.
     */
    public static Pending submit(List<Callable<float[]>> tasks, ExecutorService pool) {
        List<Future<Prepared>> futures = new ArrayList<>();
        for (Callable<float[]> t : tasks) {
            futures.add(pool == null ? CompletableFuture.completedFuture(run(t)) : pool.submit(() -> run(t)));
        }
        return new Pending(futures);
    }

    /** A batch being prepared. */
    public static final class Pending {
        private final List<Future<Prepared>> futures;

        private Pending(List<Future<Prepared>> futures) {
            this.futures = futures;
        }

        /** Waits for every image of the batch; results in the tasks' order. */
        public List<Prepared> get() {
            List<Prepared> out = new ArrayList<>();
            try {
                for (Future<Prepared> f : futures) {
                    out.add(f.get());
                }
            } catch (InterruptedException e) {
                futures.forEach(f -> f.cancel(true));
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while preparing images", e);
            } catch (ExecutionException e) {
                throw new IllegalStateException(e.getCause());
            }
            return out;
        }
    }

    private static Prepared run(Callable<float[]> task) {
        try {
            return new Prepared(task.call(), null);
        } catch (RuntimeException e) {
            return new Prepared(null, e);
        } catch (Exception e) {
            return new Prepared(null, new IllegalStateException(e.getMessage(), e));
        } catch (OutOfMemoryError e) {
            return new Prepared(null, new IllegalStateException("not enough memory for the image", e));
        }
    }
}
