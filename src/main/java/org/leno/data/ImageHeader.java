package org.leno.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Iterator;
import java.util.Optional;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Reads an image's width and height from its header alone, to refuse decompression bombs before decoding. */
final class ImageHeader {
    record Size(long width, long height) {
        long pixels() { return width * height; }
    }

    private ImageHeader() {
    }

    static Optional<Size> read(byte[] b) {
        if (b.length >= 4 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8) {
            return jpeg(b);
        }
        if (b.length >= 24 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            ByteBuffer buf = ByteBuffer.wrap(b);
            return Optional.of(new Size(buf.getInt(16) & 0xffffffffL, buf.getInt(20) & 0xffffffffL));
        }
        if (b.length >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6') {
            return pnm(b);
        }
        if (b.length >= 30 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F'
                && b[8] == 'W' && b[9] == 'E' && b[10] == 'B' && b[11] == 'P') {
            return webp(b);
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(b))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                return Optional.empty();
            }
            ImageReader r = readers.next();
            try {
                r.setInput(in, true, true);
                return Optional.of(new Size(r.getWidth(0), r.getHeight(0)));
            } finally {
                r.dispose();
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Walks the JPEG markers to the first start-of-frame; a malformed header falls back to the decoder's own checks. */
    private static Optional<Size> jpeg(byte[] b) {
        int i = 2;
        while (i + 9 < b.length) {
            if ((b[i] & 0xff) != 0xff) {
                return Optional.empty();
            }
            int marker = b[i + 1] & 0xff;
            if (marker == 0xff) {
                i++;
                continue;
            }
            int length = ((b[i + 2] & 0xff) << 8) | (b[i + 3] & 0xff);
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                int h = ((b[i + 5] & 0xff) << 8) | (b[i + 6] & 0xff);
                int w = ((b[i + 7] & 0xff) << 8) | (b[i + 8] & 0xff);
                return Optional.of(new Size(w, h));
            }
            if (marker == 0xd9 || marker == 0xda || length < 2) {
                return Optional.empty();
            }
            i += 2 + length;
        }
        return Optional.empty();
    }

    private static Optional<Size> pnm(byte[] b) {
        long[] v = new long[2];
        int i = 2;
        for (int k = 0; k < 2; k++) {
            while (i < b.length && (Character.isWhitespace(b[i]) || b[i] == '#')) {
                if (b[i] == '#') {
                    while (i < b.length && b[i] != '\n') {
                        i++;
                    }
                }
                i++;
            }
            long n = 0;
            int digits = 0;
            while (i < b.length && Character.isDigit(b[i]) && digits < 12) {
                n = n * 10 + (b[i++] - '0');
                digits++;
            }
            if (digits == 0) {
                return Optional.empty();
            }
            v[k] = n;
        }
        return Optional.of(new Size(v[0], v[1]));
    }

    private static Optional<Size> webp(byte[] b) {
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        String chunk = new String(b, 12, 4, java.nio.charset.StandardCharsets.US_ASCII);
        return switch (chunk) {
            case "VP8 " -> Optional.of(new Size(buf.getShort(26) & 0x3fff, buf.getShort(28) & 0x3fff));
            case "VP8L" -> {
                int bits = buf.getInt(21);
                yield Optional.of(new Size((bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1));
            }
            case "VP8X" -> Optional.of(new Size(1 + ((b[24] & 0xff) | (b[25] & 0xff) << 8 | (b[26] & 0xff) << 16),
                    1 + ((b[27] & 0xff) | (b[28] & 0xff) << 8 | (b[29] & 0xff) << 16)));
            default -> Optional.empty();
        };
    }
}
