package org.leno.internal.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The endpoints: TorchServe's {@code /predictions/NAME} and {@code /ping}, the Open Inference
 * Protocol v2's health, metadata, inference and model-repository load, and {@code /metrics}. Every
 * request but the health checks needs the bearer token when one is set. Nothing here blocks a
 * server thread: bodies are read asynchronously and parsed and decoded on the decoding threads.
 */
final class Routes extends Handler.Abstract {
    private final Map<String, ModelSlot> slots;
    private final Metrics metrics;
    private final Optional<BearerToken> token;
    private final Consumer<String> log;
    private final BooleanSupplier draining;
    private final Inference inference;
    private final ModelLoads loads;
    private final SlowHeaders slowHeaders;
    private final ObjectMapper json = new ObjectMapper();

    Routes(Map<String, ModelSlot> slots, Metrics metrics, Optional<BearerToken> token, Consumer<String> log,
           BooleanSupplier draining, Inference inference, ModelLoads loads, SlowHeaders slowHeaders) {
        super(InvocationType.NON_BLOCKING);
        this.slots = Map.copyOf(slots);
        this.metrics = metrics;
        this.token = token;
        this.log = log;
        this.draining = draining;
        this.inference = inference;
        this.loads = loads;
        this.slowHeaders = slowHeaders;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        slowHeaders.arrived(request);
        Call call = new Call(request, response, callback, metrics, log, json);
        try {
            route(call, request.getMethod(), segments(Request.getPathInContext(request)));
        } catch (RuntimeException e) {
            call.fail(e);
        }
        return true;
    }

    private void route(Call call, String method, List<String> path) {
        if (path.equals(List.of("v2", "health", "live")) || path.equals(List.of("ping"))) {
            call.endpoint(Metrics.Endpoint.HEALTH);
            only(method, "GET");
            call.json(200, path.size() == 1 ? Map.of("status", "Healthy") : Map.of("live", true));
            return;
        }
        if (path.equals(List.of("v2", "health", "ready"))) {
            call.endpoint(Metrics.Endpoint.HEALTH);
            only(method, "GET");
            call.json(draining.getAsBoolean() ? 503 : 200, Map.of("ready", !draining.getAsBoolean()));
            return;
        }
        authorize(call);
        if (path.size() == 2 && path.get(0).equals("predictions")) {
            call.endpoint(Metrics.Endpoint.PREDICTIONS);
            only(method, "POST");
            inference.predictions(call, slot(call, path.get(1)));
        } else if (path.size() >= 3 && path.size() <= 4 && path.get(0).equals("v2") && path.get(1).equals("models")) {
            modelRoute(call, method, slot(call, path.get(2)), path.size() == 3 ? "" : path.get(3));
        } else if (path.size() == 5 && path.subList(0, 3).equals(List.of("v2", "repository", "models"))
                && path.get(4).equals("load")) {
            call.endpoint(Metrics.Endpoint.REPOSITORY);
            only(method, "POST");
            loads.load(call, slot(call, path.get(3)));
        } else if (path.equals(List.of("v2", "repository", "index"))) {
            call.endpoint(Metrics.Endpoint.REPOSITORY);
            only(method, "POST", "GET");
            call.json(200, index());
        } else if (path.equals(List.of("v2"))) {
            call.endpoint(Metrics.Endpoint.SERVER_METADATA);
            only(method, "GET");
            call.json(200, Map.of("name", "leno", "version", "0.1.0", "extensions", List.of("model_repository")));
        } else if (path.equals(List.of("metrics"))) {
            call.endpoint(Metrics.Endpoint.METRICS);
            only(method, "GET");
            call.text(200, "text/plain; version=0.0.4; charset=utf-8", metrics.render());
        } else {
            throw new HttpError(HttpError.Kind.NOT_FOUND, "no endpoint " + HttpError.quote(String.join("/", path)));
        }
    }

    private void modelRoute(Call call, String method, ModelSlot slot, String action) {
        switch (action) {
            case "" -> {
                call.endpoint(Metrics.Endpoint.MODEL_METADATA);
                only(method, "GET");
                call.json(200, metadata(slot));
            }
            case "ready" -> {
                call.endpoint(Metrics.Endpoint.HEALTH);
                only(method, "GET");
                call.json(draining.getAsBoolean() ? 503 : 200, Map.of("name", slot.name(), "ready", !draining.getAsBoolean()));
            }
            case "infer" -> {
                call.endpoint(Metrics.Endpoint.INFER);
                only(method, "POST");
                inference.infer(call, slot);
            }
            default -> throw new HttpError(HttpError.Kind.NOT_FOUND, "no endpoint " + HttpError.quote(action)
                    + " for a model (metadata, ready, infer)");
        }
    }

    private ModelSlot slot(Call call, String name) {
        ModelSlot slot = slots.get(name);
        if (slot == null) {
            throw new HttpError(HttpError.Kind.NOT_FOUND, "no model " + HttpError.quote(name) + " (models: "
                    + String.join(", ", slots.keySet().stream().sorted().toList()) + ")");
        }
        call.model(slot.name());
        return slot;
    }

    private void authorize(Call call) {
        if (token.isPresent() && !token.get().accepts(call.request().getHeaders().get(HttpHeader.AUTHORIZATION))) {
            throw new HttpError(HttpError.Kind.UNAUTHORIZED, "missing or wrong bearer token");
        }
    }

    private static void only(String method, String... allowed) {
        if (!Arrays.asList(allowed).contains(method)) {
            throw new HttpError(HttpError.Kind.METHOD, "method " + HttpError.quote(method) + " not allowed here (use "
                    + String.join(" or ", allowed) + ")");
        }
    }

    /** The path's segments, without empty ones (so a trailing slash does not matter). */
    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : (path == null ? "" : path).split("/")) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }

    private List<Map<String, Object>> index() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (String name : slots.keySet().stream().sorted().toList()) {
            out.add(Map.of("name", name, "state", draining.getAsBoolean() ? "UNAVAILABLE" : "READY"));
        }
        return out;
    }

    /** The v2 model metadata, with the model card's class names and preprocessing as parameters. */
    private static Map<String, Object> metadata(ModelSlot slot) {
        ServedModel.Description d = slot.description();
        int s = d.inputSize();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", slot.name());
        m.put("platform", "leno_libtorch");
        m.put("inputs", List.of(
                Map.of("name", "input", "datatype", "FP32", "shape", List.of(-1, 3, s, s)),
                Map.of("name", "image", "datatype", "BYTES", "shape", List.of(-1))));
        m.put("outputs", List.of(
                Map.of("name", Inference.PROBABILITIES, "datatype", "FP32", "shape", List.of(-1, d.classNames().size())),
                Map.of("name", Inference.LOGITS, "datatype", "FP32", "shape", List.of(-1, d.classNames().size()))));
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("class_names", d.classNames());
        parameters.put("preprocessing", d.preprocessing());
        parameters.put("model", d.model());
        m.put("parameters", parameters);
        return m;
    }
}
