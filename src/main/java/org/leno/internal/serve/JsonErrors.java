package org.leno.internal.serve;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * The errors Jetty answers itself (a request it cannot parse, headers too large, a request refused
 * while stopping) as one line of JSON with the status' reason: never an HTML page or a stack trace.
 */
final class JsonErrors extends ErrorHandler {
    private final Metrics metrics;
    private final Consumer<String> log;
    private final ObjectMapper json = new ObjectMapper();

    JsonErrors(Metrics metrics, Consumer<String> log) {
        this.metrics = metrics;
        this.log = log;
        setShowStacks(false);
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        metrics.error(code == 503 ? HttpError.Kind.DRAINING : code >= 500 ? HttpError.Kind.INTERNAL : HttpError.Kind.BAD_REQUEST);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(body(code)), callback);
        log.accept(Call.logLine(json, request, code, null, 0, (System.nanoTime() - request.getBeginNanoTime()) / 1e9));
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        metrics.error(HttpError.Kind.BAD_REQUEST);
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(body(status));
    }

    private static byte[] body(int code) {
        String reason = HttpStatus.getMessage(code);
        return ("{\"error\":\"" + (reason == null ? "error " + code : reason) + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
