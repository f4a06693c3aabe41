package org.leno.internal.data.loader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.data.datasets.ImageSource;
import org.leno.internal.data.decode.UnreadableImageException;

/**
 * Decodes and transforms batches on {@code workers} threads into a bounded window of ready
 * batches, delivered in order. Each sample's augmentation draws from its own random stream,
 * seeded by (seed, epoch, position), so the batches are the same whatever the worker count.
 * A sample that cannot be read is skipped and counted ({@link Epoch#skipped()}), unless strict,
 * and its batch refilled with a substitute drawn from (seed, epoch, position) alone, so that
 * batches keep their size and stay the same whatever the worker count or a resume.
 */
public final class DataLoader implements AutoCloseable {

    /**
     * {@code channelsLast}: deliver images in NHWC memory layout (same shape), which oneDNN convolves
     * without reordering. {@code pinMemory}: batches in pinned host memory for asynchronous copies to
     * a GPU (GPU build with a device only); the images then stay NCHW, for the device to reorder.
     */
    public record Config(int batchSize, int workers, boolean dropLast, long seed, boolean strict, boolean channelsLast,
                         boolean pinMemory) {
        public Config(int batchSize, int workers, boolean dropLast, long seed, boolean strict) {
            this(batchSize, workers, dropLast, seed, strict, false, false);
        }

        public Config(int batchSize, int workers, boolean dropLast, long seed, boolean strict, boolean channelsLast) {
            this(batchSize, workers, dropLast, seed, strict, channelsLast, false);
        }

        public Config {
            if (batchSize < 1) {
                throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
            }
            if (workers < 0) {
                throw new IllegalArgumentException("--workers must not be negative, got " + workers);
            }
        }
    }

    private final ImageSource source;
    private final Transform transform;
    private final Sampler sampler;
    private final Config config;
    private final ExecutorService pool;
    /** Image buffers of one full batch each. */
    private final HostBuffers buffers;

    public DataLoader(ImageSource source, Transform transform, Sampler sampler, Config config) {
        this.source = source;
        this.transform = transform;
        this.sampler = sampler;
        this.config = config;
        long s = transform.outputSize();
        this.buffers = new HostBuffers(config.batchSize() * 3L * s * s, config.pinMemory());
        // OpenCV's own thread pool would compete with the workers: --workers is the CPU budget
        opencv_core.setNumThreads(1);
        this.pool = config.workers() == 0 ? null : Executors.newFixedThreadPool(config.workers(), r -> {
            Thread t = new Thread(r, "leno-data");
            t.setDaemon(true);
            return t;
        });
    }

    public ImageSource source() { return source; }

    public int batchesPerEpoch() {
        int n = sampler.perRank();
        return config.dropLast() ? n / config.batchSize() : (n + config.batchSize() - 1) / config.batchSize();
    }

    public Epoch epoch(int epoch) {
        return new Epoch(epoch, 0);
    }

    /** The batches of {@code epoch} from batch {@code startBatch} on (to resume an interrupted epoch). */
    public Epoch epoch(int epoch, int startBatch) {
        return new Epoch(epoch, startBatch);
    }

    @Override
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
        buffers.close();
    }

    /** Image buffers allocated so far: bounded by the prefetch window, whatever the number of epochs. */
    int allocatedBuffers() {
        return buffers.allocated();
    }

    /** The batches of one epoch, in order; close it to cancel what is still being prepared. */
    public final class Epoch implements Iterator<Batch>, AutoCloseable {
        private final int epoch;
        private final int[] indices;
        private final int batches;
        private final Deque<Future<Batch>> window = new ArrayDeque<>();
        private final AtomicInteger skipped = new AtomicInteger();
        /** Samples found unreadable in this epoch, so that substitute draws do not decode them again. */
        private final Set<Integer> unreadable = ConcurrentHashMap.newKeySet();
        private final Map<Integer, String> unreadableWhy = new ConcurrentHashMap<>();
        private int firstSkipPosition = Integer.MAX_VALUE;
        private String firstSkip;
        private int submitted;
        private int delivered;

        private Epoch(int epoch, int startBatch) {
            this.epoch = epoch;
            this.indices = sampler.indices(epoch);
            this.batches = batchesPerEpoch();
            this.submitted = Math.min(startBatch, batches);
            this.delivered = submitted;
            int ahead = pool == null ? 0 : Math.max(2, 2 * config.workers());
            while (submitted < Math.min(delivered + ahead, batches)) {
                submit();
            }
        }

        private void submit() {
            int b = submitted++;
            window.add(pool.submit(() -> load(b)));
        }

        @Override
        public boolean hasNext() {
            return delivered < batches;
        }

        @Override
        public Batch next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int b = delivered++;
            if (pool == null) {
                return load(b);
            }
            if (submitted < batches) {
                submit();
            }
            try {
                return window.poll().get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while loading data", e);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new IllegalStateException(e.getCause());
            }
        }

        /**
         * Batch {@code b}: its positions' samples, readable ones first in position order, then one
         * substitute for each unreadable one ({@link #substitute}), so that the batch keeps its
         * size. Substitutes are not counted as real samples (validation leaves them out).
         */
        private Batch load(int b) {
            int from = b * config.batchSize();
            int to = Math.min(indices.length, from + config.batchSize());
            int s = transform.outputSize();
            long per = 3L * s * s;
            FloatPointer base = buffers.take();
            long[] labels = new long[to - from];
            int n = 0;
            int real = 0;
            List<Integer> failed = new ArrayList<>();
            for (int pos = from; pos < to; pos++) {
                int index = indices[pos];
                if (!decodeInto(index, pos, base, n * per, pos)) {
                    failed.add(pos);
                    continue;
                }
                labels[n] = source.label(index);
                if (!sampler.isPadding(pos)) {
                    real++;
                }
                n++;
            }
            for (int pos : failed) {
                int index = substitute(pos, base, n * per);
                labels[n++] = source.label(index);
            }
            Tensor imageBatch = torch.from_blob(base, new long[] {n, 3, s, s}, new TensorOptions(torch.ScalarType.Float));
            Runnable release = () -> buffers.give(base);
            if (config.channelsLast() && !config.pinMemory()) {
                Tensor nhwc = imageBatch.contiguous(torch.MemoryFormat.ChannelsLast);
                imageBatch.close();
                imageBatch = nhwc;
                buffers.give(base);
                release = () -> { };
            }
            Tensor labelBatch;
            try (LongPointer lp = new LongPointer(labels)) {
                labelBatch = torch.from_blob(lp, new long[] {n}, new TensorOptions(torch.ScalarType.Long)).clone();
            }
            return new Batch(imageBatch, labelBatch, n, real, release);
        }

        /**
         * Decodes and transforms sample {@code index} into the buffer at {@code offset}, drawing its
         * augmentation from (seed, epoch, {@code slot}); false (counted as a skip of {@code position}
         * when that is not negative) when it cannot be read.
         */
        private boolean decodeInto(int index, int slot, FloatPointer base, long offset, int position) {
            if (unreadable.contains(index)) {
                if (position >= 0) {
                    recordSkip(position, unreadableWhy.get(index));
                }
                return false;
            }
            SplittableRandom rng = new SplittableRandom(mix(config.seed(), epoch, sampler.globalPosition(slot)));
            try (Mat rgb = source.rgb(index)) {
                transform.apply(rgb, rng, NativeViews.floatAt(base, offset));
                return true;
            } catch (UnreadableImageException e) {
                if (config.strict()) {
                    throw new UnreadableImageException(e.getMessage() + " (--strict-data)");
                }
                unreadableWhy.putIfAbsent(index, e.getMessage());
                unreadable.add(index);
                if (position >= 0) {
                    recordSkip(position, e.getMessage());
                }
                return false;
            }
        }

        /**
         * A readable sample in place of the unreadable one at {@code position}, chosen from
         * (seed, epoch, position) alone, so that it is the same whatever the workers did before:
         * first up to {@value #RANDOM_TRIES} draws from this epoch's samples, then the samples
         * after the position in order. Only a data set with nothing readable stops the run.
         */
        private int substitute(int position, FloatPointer base, long offset) {
            SplittableRandom draw = new SplittableRandom(mix(config.seed() ^ SUBSTITUTE_SALT, epoch,
                    sampler.globalPosition(position)));
            for (int k = 0; k < RANDOM_TRIES; k++) {
                int index = indices[draw.nextInt(indices.length)];
                if (decodeInto(index, position, base, offset, -1)) {
                    return index;
                }
            }
            for (int k = 1; k <= indices.length; k++) {
                int index = indices[(position + k) % indices.length];
                if (decodeInto(index, position, base, offset, -1)) {
                    return index;
                }
            }
            throw new UnreadableImageException("none of the " + indices.length + " images of this data set is readable"
                    + " (first: " + firstSkip() + ")");
        }

        private synchronized void recordSkip(int position, String message) {
            skipped.incrementAndGet();
            if (position < firstSkipPosition) {
                firstSkipPosition = position;
                firstSkip = message;
            }
        }

        public int skipped() { return skipped.get(); }

        /** One line for the end of the epoch, or null when nothing was skipped. */
        private synchronized String firstSkip() {
            return firstSkip;
        }

        public String skippedSummary() {
            int k = skipped.get();
            return k == 0 ? null : "skipped " + k + " unreadable image" + (k == 1 ? "" : "s") + " (first: "
                    + firstSkip() + ")";
        }

        @Override
        public void close() {
            for (Future<Batch> f : window) {
                if (!f.cancel(true) && f.isDone()) {
                    try {
                        f.get().close();
                    } catch (Exception ignored) {
                        // the batch failed; nothing to free
                    }
                }
            }
            window.clear();
        }
    }

    /** Substitute draws per unreadable sample before the samples after it are tried in order. */
    static final int RANDOM_TRIES = 16;
    private static final long SUBSTITUTE_SALT = 0x5AB5717E5L;

    public static long mix(long seed, int epoch, long position) {
        long z = seed * 0x9E3779B97F4A7C15L + epoch * 0xBF58476D1CE4E5B9L + position * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        return z ^ (z >>> 31);
    }
}
