package org.leno.internal.serve;

import java.util.Locale;

/** A request answered with an error: its status, its kind (a label of the error counter) and a one-line message. */
public final class HttpError extends RuntimeException {
    /** The kinds of error the metrics count, each with its status. */
    public enum Kind {
        BAD_REQUEST(400), UNAUTHORIZED(401), NOT_FOUND(404), METHOD(405), TIMEOUT(408), TOO_LARGE(413),
        OVERLOADED(503), DRAINING(503), DEADLINE(504), LOAD_FAILED(500), INTERNAL(500);

        private final int status;

        Kind(int status) {
            this.status = status;
        }

        public int status() { return status; }

        /** The metric label: bad_request, too_large, ... */
        public String label() { return name().toLowerCase(Locale.ROOT); }
    }

    private static final long serialVersionUID = 1L;
    private static final int MAX_MESSAGE = 300;
    private final transient Kind kind;

    public HttpError(Kind kind, String message) {
        super(oneLine(message), null, false, false);
        this.kind = kind;
    }

    public Kind kind() { return kind; }

    public int status() { return kind.status(); }

    public static HttpError badRequest(String message) {
        return new HttpError(Kind.BAD_REQUEST, message);
    }

    /** A client-supplied name fit to quote in a message: printable, at most 64 characters. */
    public static String quote(String clientText) {
        String printable = clientText.replaceAll("[^\\p{Print}]", "?");
        return "'" + (printable.length() > 64 ? printable.substring(0, 64) + "..." : printable) + "'";
    }

    private static String oneLine(String message) {
        String m = message == null || message.isBlank() ? "error" : message.lines().findFirst().orElse("error");
        return m.length() > MAX_MESSAGE ? m.substring(0, MAX_MESSAGE) + "..." : m;
    }
}
