package org.leno.internal.data.decode;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The text headers: Netpbm (PBM/PGM/PPM P1-P6, PAM P7, PFM PF/Pf) and Radiance HDR. */
final class NetpbmAndHdr {
    private static final Pattern HDR_SIZE = Pattern.compile("\\n-Y (\\d{1,10}) \\+X (\\d{1,10})\\n");
    private static final Pattern PAM_FIELD = Pattern.compile("(?m)^(WIDTH|HEIGHT)\\s+(\\d{1,10})\\s*$");

    private NetpbmAndHdr() {
    }

    /** Radiance: header lines up to an empty line, then the size line; OpenCV reads only "-Y h +X w". */
    static ImageHeader.Header hdr(ByteBuffer b) throws ImageHeader.Unparseable {
        String text = text(b);
        int blank = text.indexOf("\n\n");
        Matcher m = HDR_SIZE.matcher(text);
        if (blank < 0 || !m.find(blank) || m.start() != blank + 1) {
            throw new ImageHeader.Unparseable("Radiance HDR header has no \"-Y height +X width\" line");
        }
        return ImageHeader.sizeOf("Radiance HDR", Long.parseLong(m.group(2)), Long.parseLong(m.group(1)), 0, b);
    }

    static ImageHeader.Header netpbm(ByteBuffer b) throws ImageHeader.Unparseable {
        char kind = (char) b.get(1);
        String text = text(b);
        if (kind == '7') {
            return pam(text, b);
        }
        String format = switch (kind) {
            case '1', '4' -> "PBM";
            case '2', '5' -> "PGM";
            case '3', '6' -> "PPM";
            case 'F', 'f' -> "PFM";
            default -> throw new ImageHeader.Unparseable("not an image format OpenCV decodes here (P" + kind + ")");
        };
        long[] size = new long[2];
        int i = 2;
        for (int k = 0; k < 2; k++) {
            while (i < text.length() && (Character.isWhitespace(text.charAt(i)) || text.charAt(i) == '#')) {
                if (text.charAt(i) == '#') {
                    while (i < text.length() && text.charAt(i) != '\n') {
                        i++;
                    }
                }
                i++;
            }
            int start = i;
            while (i < text.length() && i - start < 10 && Character.isDigit(text.charAt(i))) {
                i++;
            }
            if (i == start || i < text.length() && Character.isDigit(text.charAt(i))) {
                throw new ImageHeader.Unparseable(format + " header has no width and height");
            }
            size[k] = Long.parseLong(text.substring(start, i));
        }
        return ImageHeader.sizeOf(format, size[0], size[1], 0, b);
    }

    private static ImageHeader.Header pam(String text, ByteBuffer b) throws ImageHeader.Unparseable {
        int end = text.indexOf("ENDHDR");
        if (end < 0) {
            throw new ImageHeader.Unparseable("PAM header has no ENDHDR");
        }
        long width = -1;
        long height = -1;
        Matcher m = PAM_FIELD.matcher(text.substring(0, end));
        while (m.find()) {
            long v = Long.parseLong(m.group(2));
            if (m.group(1).equals("WIDTH")) {
                width = v;
            } else {
                height = v;
            }
        }
        return ImageHeader.sizeOf("PAM", width, height, 0, b);
    }

    private static String text(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }
}
