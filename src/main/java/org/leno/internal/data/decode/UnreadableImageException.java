package org.leno.internal.data.decode;

/** An image file that cannot be decoded; the message names the file and the cause. */
public final class UnreadableImageException extends RuntimeException {
    public UnreadableImageException(String message) {
        super(message);
    }
}
