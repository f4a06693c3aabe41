package org.leno.internal.serve;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The image of a {@code multipart/form-data} body, as TorchServe picks it: the part named
 * {@code data}, else {@code body}, else the first part with a file name, else the first part.
 */
final class Multipart {
    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(?:\"([^\"]{1,70})\"|([^;\\s]{1,70}))");
    private static final Pattern NAME = Pattern.compile("(?i)[;\\s]name=\"([^\"]*)\"");
    private static final int MAX_PARTS = 32;

    private record Part(String name, boolean file, byte[] content) {}

    private Multipart() {
    }

    /** The boundary of a multipart Content-Type, if it is one. */
    static Optional<String> boundary(String contentType) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("multipart/")) {
            return Optional.empty();
        }
        Matcher m = BOUNDARY.matcher(contentType);
        if (!m.find()) {
            throw HttpError.badRequest("multipart body without a boundary");
        }
        return Optional.of(m.group(1) != null ? m.group(1) : m.group(2));
    }

    static byte[] image(byte[] body, String boundary) {
        List<Part> parts = parts(body, ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1));
        for (String wanted : List.of("data", "body")) {
            for (Part p : parts) {
                if (p.name().equals(wanted)) {
                    return p.content();
                }
            }
        }
        return parts.stream().filter(Part::file).findFirst().orElse(parts.get(0)).content();
    }

    private static List<Part> parts(byte[] body, byte[] delimiter) {
        List<Part> parts = new ArrayList<>();
        int at = indexOf(body, delimiter, 0);
        while (at >= 0 && parts.size() < MAX_PARTS) {
            int start = at + delimiter.length;
            if (startsWith(body, start, "--")) {
                break;
            }
            int headersEnd = indexOf(body, "\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1), start);
            byte[] closing = concat("\r\n".getBytes(StandardCharsets.ISO_8859_1), delimiter);
            int end = headersEnd < 0 ? -1 : indexOf(body, closing, headersEnd + 4);
            if (end < 0) {
                throw HttpError.badRequest("truncated multipart body");
            }
            String headers = new String(body, start, headersEnd - start, StandardCharsets.ISO_8859_1);
            Matcher name = NAME.matcher(headers);
            parts.add(new Part(name.find() ? name.group(1) : "", headers.toLowerCase(Locale.ROOT).contains("filename="),
                    Arrays.copyOfRange(body, headersEnd + 4, end)));
            at = end + 2;
        }
        if (parts.isEmpty()) {
            throw HttpError.badRequest("multipart body without a part");
        }
        return parts;
    }

    private static boolean startsWith(byte[] body, int at, String text) {
        byte[] t = text.getBytes(StandardCharsets.ISO_8859_1);
        return at + t.length <= body.length && Arrays.equals(body, at, at + t.length, t, 0, t.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The first index of {@code needle} in {@code hay} from {@code from}, or -1. */
    static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = Math.max(0, from); i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
