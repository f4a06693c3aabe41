package org.leno.internal.serve;

import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /v2/repository/models/NAME/load}: reads the model's run folder or checkpoint again
 * (the path it was started with: a client cannot name a file) on a thread of its own, while the
 * model before answers; then swaps it in. A load that fails keeps the model before.
 */
final class ModelLoads {
    private final ModelLoader loader;
    private final ExecutorService thread;
    private final Metrics metrics;
    private final BooleanSupplier draining;

    ModelLoads(ModelLoader loader, ExecutorService thread, Metrics metrics, BooleanSupplier draining) {
        this.loader = loader;
        this.thread = thread;
        this.metrics = metrics;
        this.draining = draining;
    }

    void load(Call call, ModelSlot slot) {
        if (draining.getAsBoolean()) {
            throw new HttpError(HttpError.Kind.DRAINING, "the server is stopping");
        }
        try {
            thread.execute(() -> swap(call, slot));
        } catch (RejectedExecutionException e) {
            throw new HttpError(HttpError.Kind.DRAINING, "the server is stopping");
        }
    }

    private void swap(Call call, ModelSlot slot) {
        ServedModel model;
        try {
            model = loader.load(slot.weights());
        } catch (RuntimeException | LinkageError | OutOfMemoryError e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            call.fail(new HttpError(HttpError.Kind.LOAD_FAILED, slot.name() + ": " + why + " (the model loaded before still answers)"));
            return;
        }
        slot.swap(model);
        metrics.reloaded(slot.name());
        call.json(200, Map.of("name", slot.name(), "loaded", true, "weights", slot.weights().getFileName().toString()));
    }
}
