package org.leno.internal.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * One request being answered, from any thread: the first answer wins (a result, an error, the
 * deadline), the rest are dropped. Answering runs the request's clean-ups, counts it in the metrics
 * and writes its log line.
 */
final class Call {
    private static final int MAX_LOGGED_PATH = 200;

    private final Request request;
    private final Response response;
    private final Callback callback;
    private final Metrics metrics;
    private final Consumer<String> log;
    private final ObjectMapper json;
    private final AtomicBoolean answered = new AtomicBoolean();
    private final List<Runnable> cleanups = new CopyOnWriteArrayList<>();
    private volatile Metrics.Endpoint endpoint = Metrics.Endpoint.OTHER;
    private volatile String model;
    private volatile int batch;

    Call(Request request, Response response, Callback callback, Metrics metrics, Consumer<String> log, ObjectMapper json) {
        this.request = request;
        this.response = response;
        this.callback = callback;
        this.metrics = metrics;
        this.log = log;
        this.json = json;
    }

    Request request() { return request; }

    void endpoint(Metrics.Endpoint e) { endpoint = e; }

    void model(String name) { model = name; }

    /** The largest batch one of the request's images was computed in (for the log line). */
    synchronized void batch(int size) { batch = Math.max(batch, size); }

    boolean isAnswered() { return answered.get(); }

    /** Runs {@code r} once the request is answered (at once if it is). */
    void whenAnswered(Runnable r) {
        cleanups.add(r);
        if (answered.get() && cleanups.remove(r)) {
            r.run();
        }
    }

    void json(int status, Object body) {
        byte[] bytes;
        try {
            bytes = json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            fail(new HttpError(HttpError.Kind.INTERNAL, "cannot write the answer"));
            return;
        }
        answer(status, "application/json", bytes, Map.of());
    }

    void text(int status, String contentType, String body) {
        answer(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    void fail(Throwable t) {
        HttpError e = t instanceof HttpError h ? h
                : t.getCause() instanceof HttpError h ? h
                : new HttpError(HttpError.Kind.INTERNAL, "internal error (" + t.getClass().getSimpleName() + ")");
        Map<String, String> headers = switch (e.kind()) {
            case OVERLOADED, DRAINING -> Map.of("Retry-After", "1");
            case UNAUTHORIZED -> Map.of("WWW-Authenticate", "Bearer");
            default -> Map.of();
        };
        try {
            byte[] body = json.writeValueAsBytes(Map.of("error", e.getMessage()));
            if (answer(e.status(), "application/json", body, headers)) {
                metrics.error(e.kind());
            }
        } catch (JsonProcessingException x) {
            answer(500, "application/json", "{\"error\":\"internal error\"}".getBytes(StandardCharsets.UTF_8), headers);
        }
    }

    private boolean answer(int status, String contentType, byte[] body, Map<String, String> headers) {
        if (!answered.compareAndSet(false, true)) {
            return false;
        }
        for (Runnable r : cleanups) {
            if (cleanups.remove(r)) {
                r.run();
            }
        }
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        response.write(true, ByteBuffer.wrap(body), callback);
        double seconds = (System.nanoTime() - request.getBeginNanoTime()) / 1e9;
        metrics.request(endpoint, status, seconds);
        logLine(status, seconds);
        return true;
    }

    private void logLine(int status, double seconds) {
        log.accept(logLine(json, request, status, model, batch, seconds));
    }

    /** One request's log line: JSON with time, method, path, status, model, batch, ms and remote address. */
    static String logLine(ObjectMapper json, Request request, int status, String model, int batch, double seconds) {
        String path = request.getHttpURI().getPath();
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("time", Instant.now().toString());
        line.put("method", request.getMethod());
        line.put("path", path == null ? "" : path.length() > MAX_LOGGED_PATH ? path.substring(0, MAX_LOGGED_PATH) : path);
        line.put("status", status);
        line.put("model", model);
        line.put("batch", batch);
        line.put("ms", Math.round(seconds * 1e4) / 10.0);
        line.put("remote", Request.getRemoteAddr(request));
        try {
            return json.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            return "{\"error\":\"cannot write the log line\"}";
        }
    }
}
