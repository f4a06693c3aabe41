package org.leno.internal.serve;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.Invocable;
import org.leno.internal.data.decode.UnreadableImageException;
import org.leno.internal.predict.ImageClassifier;

/**
 * The two ways to ask for a prediction, TorchServe's (an image body, top-k by name) and the v2
 * protocol's (a tensor or encoded images, probabilities), over one path: admit the request into the
 * model's queue (503 when full), read its body without holding a thread (413 over the limit), parse
 * and decode it on a decoding thread (400 when it is not an image or tensor), queue its images for
 * the batcher, and answer when they are computed, or 504 at the deadline.
 */
final class Inference {
    static final String PROBABILITIES = "probabilities";
    static final String LOGITS = "logits";
    private static final int DEFAULT_TOP_K = 5;

    private final ServeConfig config;
    private final Map<String, Batcher> batchers;
    private final ExecutorService decoders;
    private final ScheduledExecutorService timer;

    Inference(ServeConfig config, Map<String, Batcher> batchers, ExecutorService decoders, ScheduledExecutorService timer) {
        this.config = config;
        this.batchers = Map.copyOf(batchers);
        this.decoders = decoders;
        this.timer = timer;
    }

    /** {@code POST /predictions/NAME}: an image (raw or multipart) in, {"label": probability, ...} out. */
    void predictions(Call call, ModelSlot slot) {
        int k = topK(call.request());
        Optional<String> boundary = Multipart.boundary(call.request().getHeaders().get(HttpHeader.CONTENT_TYPE));
        admitAndRead(call, slot, body -> {
            byte[] image = boundary.isPresent() ? Multipart.image(body, boundary.get()) : body;
            compute(call, slot, model -> List.of(prepare(model, image, "the image")), results -> {
                ServedModel.Description d = results.description();
                Map<String, Double> top = new LinkedHashMap<>();
                for (ImageClassifier.Scored s : ImageClassifier.topK(results.logits().get(0), k)) {
                    top.putIfAbsent(d.label(s.index()), s.probability());
                }
                return top;
            });
        });
    }

    /** {@code POST /v2/models/NAME/infer}: one FP32 or BYTES input in, probabilities (and logits) out. */
    void infer(Call call, ModelSlot slot) {
        if (call.request().getHeaders().get("Inference-Header-Content-Length") != null) {
            throw HttpError.badRequest("the binary tensor data extension is not supported; send JSON");
        }
        admitAndRead(call, slot, body -> {
            InferRequest request = InferRequest.parse(body);
            int images = V2Tensors.images(request);
            if (images > 1 && !slot.admit(images - 1)) {
                throw overloaded(slot);
            }
            call.whenAnswered(() -> slot.leave(images - 1));
            compute(call, slot, model -> V2Tensors.inputs(request.input(), model, Inference::prepare),
                    results -> V2Tensors.response(slot.name(), request, results));
        });
    }

    /** The logits of a request's images and the model that computed them. */
    record Results(ServedModel.Description description, List<float[]> logits) {}

    private void admitAndRead(Call call, ModelSlot slot, Consumer<byte[]> then) {
        if (!slot.admit(1)) {
            throw overloaded(slot);
        }
        call.whenAnswered(() -> slot.leave(1));
        AtomicBoolean bodyRead = new AtomicBoolean();
        ScheduledFuture<?> deadline = timer.schedule(() -> call.fail(bodyRead.get()
                        ? new HttpError(HttpError.Kind.DEADLINE, "not answered within " + config.deadline().toMillis() + " ms")
                        : new HttpError(HttpError.Kind.TIMEOUT, "the body did not arrive within " + config.deadline().toMillis() + " ms")),
                config.deadline().toMillis(), TimeUnit.MILLISECONDS);
        call.whenAnswered(() -> deadline.cancel(false));
        Request request = call.request();
        long length = request.getLength();
        if (length > config.maxBodyBytes()) {
            throw tooLarge(length);
        }
        Content.Source.asByteArrayAsync(request, (int) config.maxBodyBytes(), Promise.Invocable.from(
                Invocable.InvocationType.NON_BLOCKING,
                body -> {
                    bodyRead.set(true);
                    onDecoder(call, () -> then.accept(body));
                },
                failure -> call.fail(bodyFailure(request, failure))));
    }

    /** Prepares the request's inputs with the current model, queues them, and answers with {@code answer}. */
    private void compute(Call call, ModelSlot slot, Function<ServedModel, List<float[]>> prepare,
                         Function<Results, Object> answer) {
        if (call.isAnswered()) {
            return;
        }
        ModelSlot.Generation generation = slot.acquire();
        List<float[]> inputs;
        try {
            inputs = prepare.apply(generation.model());
        } catch (RuntimeException e) {
            generation.release();
            throw e;
        }
        for (int i = 1; i < inputs.size(); i++) {
            generation.share();
        }
        Batcher batcher = batchers.get(slot.name());
        List<CompletableFuture<Batcher.Computed>> futures = new ArrayList<>();
        for (float[] input : inputs) {
            futures.add(batcher.submit(generation, input));
        }
        call.whenAnswered(() -> futures.forEach(f -> f.cancel(false)));
        CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new)).whenComplete((none, failure) -> {
            if (failure != null) {
                call.fail(failure instanceof CompletionException ? failure.getCause() : failure);
                return;
            }
            List<float[]> logits = new ArrayList<>();
            for (CompletableFuture<Batcher.Computed> f : futures) {
                Batcher.Computed c = f.join();
                call.batch(c.batchSize());
                logits.add(c.logits());
            }
            call.json(200, answer.apply(new Results(generation.model().description(), logits)));
        });
    }

    static float[] prepare(ServedModel model, byte[] encoded, String name) {
        if (encoded.length == 0) {
            throw HttpError.badRequest(name + ": empty; send the bytes of an image file");
        }
        try {
            return model.prepare(encoded, name);
        } catch (UnreadableImageException e) {
            throw HttpError.badRequest(e.getMessage());
        }
    }

    private void onDecoder(Call call, Runnable work) {
        try {
            decoders.execute(() -> {
                try {
                    work.run();
                } catch (RuntimeException e) {
                    call.fail(e);
                } catch (OutOfMemoryError e) {
                    call.fail(new HttpError(HttpError.Kind.OVERLOADED, "not enough memory for the request"));
                } catch (StackOverflowError e) {
                    call.fail(HttpError.badRequest("the request is nested too deeply"));
                }
            });
        } catch (RejectedExecutionException e) {
            call.fail(new HttpError(HttpError.Kind.DRAINING, "the server is stopping"));
        }
    }

    private int topK(Request request) {
        Fields query = Request.extractQueryParameters(request);
        String value = query.getValue("topk");
        if (value == null) {
            return DEFAULT_TOP_K;
        }
        try {
            int k = Integer.parseInt(value);
            if (k >= 1 && k <= 100_000) {
                return k;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw HttpError.badRequest("topk must be a whole number from 1, got " + HttpError.quote(value));
    }

    private HttpError tooLarge(long length) {
        return new HttpError(HttpError.Kind.TOO_LARGE, "a body of " + length + " bytes is over the limit of "
                + config.maxBodyBytes());
    }

    private static HttpError overloaded(ModelSlot slot) {
        return new HttpError(HttpError.Kind.OVERLOADED, "model " + HttpError.quote(slot.name()) + " has "
                + slot.capacity() + " images queued; retry later");
    }

    private HttpError bodyFailure(Request request, Throwable failure) {
        if (Request.getContentBytesRead(request) > config.maxBodyBytes() || failure instanceof IllegalArgumentException) {
            return tooLarge(Request.getContentBytesRead(request));
        }
        if (failure instanceof TimeoutException || failure.getCause() instanceof TimeoutException) {
            return new HttpError(HttpError.Kind.TIMEOUT, "the body arrived too slowly");
        }
        return HttpError.badRequest("the body could not be read (" + failure.getClass().getSimpleName() + ")");
    }
}
