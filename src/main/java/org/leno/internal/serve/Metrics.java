package org.leno.internal.serve;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The server's counters in Prometheus' text format ({@code GET /metrics}). Labels take only values
 * the server chose (endpoints, statuses, configured model names), never text a client sent, so that
 * no client can grow the page.
 */
final class Metrics {
    /** What a request asked for: the endpoint label. */
    enum Endpoint { PREDICTIONS, INFER, MODEL_METADATA, HEALTH, SERVER_METADATA, METRICS, REPOSITORY, OTHER;
        String label() { return name().toLowerCase(Locale.ROOT); }
    }

    private final ConcurrentMap<String, LongAdder> requests = new ConcurrentHashMap<>();
    private final Map<HttpError.Kind, LongAdder> errors = new EnumMap<>(HttpError.Kind.class);
    private final Map<Endpoint, Histogram> latency = new EnumMap<>(Endpoint.class);
    private final ConcurrentMap<String, ModelGauges> models = new ConcurrentHashMap<>();

    /** Per model: its queue, in-flight images, batch sizes and forward times. */
    private record ModelGauges(IntSupplier queued, IntSupplier admitted, Histogram batchSizes, Histogram forwardSeconds,
                               LongAdder images, LongAdder reloads) {}

    Metrics() {
        for (HttpError.Kind k : HttpError.Kind.values()) {
            errors.put(k, new LongAdder());
        }
        for (Endpoint e : Endpoint.values()) {
            latency.put(e, new Histogram(Histogram.SECONDS));
        }
    }

    void addModel(String name, IntSupplier queued, IntSupplier admitted) {
        models.put(name, new ModelGauges(queued, admitted, new Histogram(Histogram.SIZES),
                new Histogram(Histogram.SECONDS), new LongAdder(), new LongAdder()));
    }

    void request(Endpoint endpoint, int status, double seconds) {
        requests.computeIfAbsent(endpoint.label() + "\",status=\"" + status, k -> new LongAdder()).increment();
        latency.get(endpoint).observe(seconds);
    }

    void error(HttpError.Kind kind) {
        errors.get(kind).increment();
    }

    void batch(String model, int size, double seconds) {
        ModelGauges g = models.get(model);
        g.batchSizes().observe(size);
        g.forwardSeconds().observe(seconds);
        g.images().add(size);
    }

    void reloaded(String model) {
        models.get(model).reloads().increment();
    }

    String render() {
        StringBuilder out = new StringBuilder();
        header(out, "leno_requests_total", "counter", "Requests answered, by endpoint and status.");
        new TreeMap<>(requests).forEach((k, v) -> out.append("leno_requests_total{endpoint=\"").append(k).append("\"} ")
                .append(v.sum()).append('\n'));
        header(out, "leno_errors_total", "counter", "Requests answered with an error, by kind.");
        errors.forEach((k, v) -> out.append("leno_errors_total{kind=\"").append(k.label()).append("\"} ")
                .append(v.sum()).append('\n'));
        header(out, "leno_request_duration_seconds", "histogram", "From a request's headers to its answer, by endpoint.");
        latency.forEach((e, h) -> h.render(out, "leno_request_duration_seconds", "endpoint=\"" + e.label() + "\","));
        Map<String, ModelGauges> byName = new TreeMap<>(models);
        header(out, "leno_queue_depth", "gauge", "Images decoded and waiting for a forward pass, by model.");
        byName.forEach((m, g) -> gauge(out, "leno_queue_depth", m, g.queued().getAsInt()));
        header(out, "leno_admitted_images", "gauge", "Images admitted and not yet answered (at most --queue), by model.");
        byName.forEach((m, g) -> gauge(out, "leno_admitted_images", m, g.admitted().getAsInt()));
        header(out, "leno_images_total", "counter", "Images computed, by model.");
        byName.forEach((m, g) -> gauge(out, "leno_images_total", m, g.images().sum()));
        header(out, "leno_model_loads_total", "counter", "Checkpoints swapped in after start, by model.");
        byName.forEach((m, g) -> gauge(out, "leno_model_loads_total", m, g.reloads().sum()));
        header(out, "leno_batch_size", "histogram", "Images per forward pass, by model.");
        byName.forEach((m, g) -> g.batchSizes().render(out, "leno_batch_size", "model=\"" + m + "\","));
        header(out, "leno_forward_duration_seconds", "histogram", "Time of one forward pass, by model.");
        byName.forEach((m, g) -> g.forwardSeconds().render(out, "leno_forward_duration_seconds", "model=\"" + m + "\","));
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String type, String help) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void gauge(StringBuilder out, String name, String model, long value) {
        out.append(name).append("{model=\"").append(model).append("\"} ").append(value).append('\n');
    }
}
