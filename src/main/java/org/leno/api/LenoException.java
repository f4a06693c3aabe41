package org.leno.api;

/**
 * The one exception type of the API: its message is a single line that names what is wrong
 * (a file, an image, a value) and, where it helps, what to do about it. Unchecked.
 */
public final class LenoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * An exception with a one-line message.
     *
     * @param message what went wrong; only its first line is kept
     */
    public LenoException(String message) {
        super(firstLine(message));
    }

    /**
     * An exception with a one-line message and the lower-level cause.
     *
     * @param message what went wrong; only its first line is kept
     * @param cause the underlying exception, for debugging
     */
    public LenoException(String message, Throwable cause) {
        super(firstLine(message), cause);
    }

    private static String firstLine(String message) {
        String m = message == null || message.isBlank() ? "unknown error" : message;
        return m.lines().findFirst().orElse(m);
    }
}
