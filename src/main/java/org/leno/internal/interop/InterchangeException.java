package org.leno.internal.interop;

/** A file that cannot be read or loaded as asked; the message is one line naming the file and the cause. */
public final class InterchangeException extends RuntimeException {
    private static final int MAX_QUOTED = 80;

    public InterchangeException(String message) {
        super(message);
    }

    public InterchangeException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Text taken from a file, made safe to print in a one-line message: control characters (line
     * breaks, terminal escapes) are shown as {@code \\uXXXX} and long text is cut.
     */
    public static String printable(String text) {
        if (text == null) {
            return "None";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < text.length() && b.length() < MAX_QUOTED; i++) {
            char c = text.charAt(i);
            boolean pair = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pair) {
                b.append(c).append(text.charAt(++i));
            } else if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.length() < MAX_QUOTED ? b.toString() : b.substring(0, MAX_QUOTED) + "...";
    }
}
