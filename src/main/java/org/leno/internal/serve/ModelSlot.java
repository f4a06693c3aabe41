package org.leno.internal.serve;

import java.nio.file.Path;
import java.util.concurrent.Semaphore;

/**
 * A served model by name: the generation that answers new requests, swapped by a load without
 * dropping any request (a request keeps the generation it started with, which closes once the last
 * such request is answered), and the admission limit of its queue.
 */
final class ModelSlot {
    /** One loaded model and how many requests use it. */
    static final class Generation {
        private final ServedModel model;
        private int users;
        private boolean retired;

        Generation(ServedModel model) {
            this.model = model;
        }

        ServedModel model() { return model; }

        private synchronized boolean acquire() {
            if (retired) {
                return false;
            }
            users++;
            return true;
        }

        /** One more user of a generation already held (each image of a request holds it once). */
        synchronized void share() {
            users++;
        }

        synchronized void release() {
            users--;
            closeIfUnused();
        }

        private synchronized void retire() {
            retired = true;
            closeIfUnused();
        }

        private void closeIfUnused() {
            if (retired && users == 0) {
                model.close();
            }
        }
    }

    private final String name;
    private final Path weights;
    private final int capacity;
    private final Semaphore admission;
    private volatile Generation current;

    ModelSlot(String name, Path weights, ServedModel model, int capacity) {
        this.name = name;
        this.weights = weights;
        this.capacity = capacity;
        this.admission = new Semaphore(capacity);
        this.current = new Generation(model);
    }

    String name() { return name; }

    Path weights() { return weights; }

    ServedModel.Description description() { return current.model().description(); }

    /** The current generation, to be released when the request is answered. */
    Generation acquire() {
        while (true) {
            Generation g = current;
            if (g.acquire()) {
                return g;
            }
        }
    }

    /** Makes {@code model} answer new requests; the one before closes after its last request. */
    synchronized void swap(ServedModel model) {
        Generation old = current;
        current = new Generation(model);
        old.retire();
    }

    /** Takes {@code images} places in the queue, if there are. */
    boolean admit(int images) {
        return images <= capacity && admission.tryAcquire(images);
    }

    void leave(int images) {
        admission.release(images);
    }

    int capacity() { return capacity; }

    int admitted() { return capacity - admission.availablePermits(); }

    /** Closes the current model once its requests are answered (at stop). */
    synchronized void retire() {
        current.retire();
    }
}
