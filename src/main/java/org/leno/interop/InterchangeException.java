package org.leno.interop;

/** A file that cannot be read or loaded as asked; the message is one line naming the file and the cause. */
public final class InterchangeException extends RuntimeException {
    public InterchangeException(String message) {
        super(message);
    }

    public InterchangeException(String message, Throwable cause) {
        super(message, cause);
    }
}
