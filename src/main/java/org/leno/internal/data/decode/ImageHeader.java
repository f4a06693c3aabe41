package org.leno.internal.data.decode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;

/**
 * Reads an image's format and size from its header alone, so that a decompression bomb is refused
 * before anything is decoded. The format comes from the bytes, never the file name. It covers
 * every format the bundled OpenCV decodes (its build lists JPEG, PNG, WebP, TIFF incl. BigTIFF,
 * GIF, BMP, PBM/PGM/PPM, PAM, PFM, Radiance HDR and Sun raster); JPEG 2000 and OpenEXR, which
 * OpenCV only decodes when enabled through its environment, and anything unrecognised are refused.
 */
final class ImageHeader {
    /** What the header says; {@code tilePixels} is the largest tile or strip buffer a TIFF asks for (else 0). */
    record Header(String format, long width, long height, long tilePixels) {
        long pixels() { return product(width, height); }

        /** {@code a * b}, or Long.MAX_VALUE when that overflows. */
        static long product(long a, long b) {
            return b != 0 && a > Long.MAX_VALUE / b ? Long.MAX_VALUE : a * b;
        }
    }

    /** Random access to the first bytes of a file or buffer, read in small pieces. */
    interface Source {
        long size();

        /** Up to {@code length} bytes from {@code position} (fewer at the end), little-endian. */
        ByteBuffer read(long position, int length) throws IOException;

        static Source of(byte[] bytes) {
            return new Source() {
                @Override
                public long size() { return bytes.length; }

                @Override
                public ByteBuffer read(long position, int length) {
                    int from = (int) Math.min(position, bytes.length);
                    int n = Math.min(length, bytes.length - from);
                    return ByteBuffer.wrap(bytes, from, n).slice().order(ByteOrder.LITTLE_ENDIAN);
                }
            };
        }

        static Source of(FileChannel channel) throws IOException {
            long size = channel.size();
            return new Source() {
                @Override
                public long size() { return size; }

                @Override
                public ByteBuffer read(long position, int length) throws IOException {
                    ByteBuffer b = ByteBuffer.allocate((int) Math.max(0, Math.min(length, size - position)));
                    while (b.hasRemaining() && channel.read(b, position + b.position()) > 0) {
                        // read until full or end of file
                    }
                    return b.flip().order(ByteOrder.LITTLE_ENDIAN);
                }
            };
        }
    }

    /** Thrown when the bytes are no format we read, or their header cannot be parsed. */
    static final class Unparseable extends Exception {
        Unparseable(String message) {
            super(message, null, false, false);
        }
    }

    private static final int HEAD = 64;

    private ImageHeader() {
    }

    static Header read(Source in) throws IOException, Unparseable {
        ByteBuffer b = in.read(0, HEAD);
        if (startsWith(b, 0xff, 0xd8, 0xff)) {
            return jpeg(in);
        }
        if (startsWith(b, 0x89, 'P', 'N', 'G', 0x0d, 0x0a, 0x1a, 0x0a)) {
            return png(b);
        }
        if (startsWith(b, 'I', 'I', 0x2a, 0) || startsWith(b, 'M', 'M', 0, 0x2a)) {
            return Tiff.read(in, false);
        }
        if (startsWith(b, 'I', 'I', 0x2b, 0) || startsWith(b, 'M', 'M', 0, 0x2b)) {
            return Tiff.read(in, true);
        }
        if (startsWith(b, 'R', 'I', 'F', 'F') && b.remaining() >= 16 && ascii(b, 8, 4).equals("WEBP")) {
            return webp(b);
        }
        if (startsWith(b, 'G', 'I', 'F', '8')) {
            return gif(b);
        }
        if (startsWith(b, 'B', 'M')) {
            return bmp(b);
        }
        if (startsWith(b, 0x59, 0xa6, 0x6a, 0x95)) {
            return sizeOf("Sun raster", b.order(ByteOrder.BIG_ENDIAN).getInt(4), b.getInt(8), 12, b);
        }
        if (startsWith(b, '#', '?')) {
            return NetpbmAndHdr.hdr(in.read(0, 64 * 1024));
        }
        if (b.remaining() >= 3 && b.get(0) == 'P' && Character.isWhitespace(b.get(2))) {
            return NetpbmAndHdr.netpbm(in.read(0, 64 * 1024));
        }
        if (startsWith(b, 0, 0, 0, 0x0c, 'j', 'P', ' ', ' ') || startsWith(b, 0xff, 0x4f, 0xff, 0x51)) {
            throw new Unparseable("JPEG 2000 is not read (OpenCV's Jasper decoder is not trusted with files from strangers)");
        }
        if (startsWith(b, 0x76, 0x2f, 0x31, 0x01)) {
            throw new Unparseable("OpenEXR is not read");
        }
        throw new Unparseable("not an image format OpenCV decodes here (jpg, png, webp, tif, gif, bmp, ppm/pgm/pbm, pam, pfm, hdr, ras)");
    }

    static boolean startsWith(ByteBuffer b, int... magic) {
        if (b.remaining() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b.get(i) & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    static String ascii(ByteBuffer b, int at, int n) {
        byte[] s = new byte[n];
        b.get(at, s);
        return new String(s, StandardCharsets.ISO_8859_1);
    }

    /** A header whose size fields are at most {@code needed} bytes in; sizes must be positive. */
    static Header sizeOf(String format, long width, long height, int needed, ByteBuffer b) throws Unparseable {
        if (b.remaining() < needed) {
            throw new Unparseable(format + " header is truncated");
        }
        if (width <= 0 || height <= 0) {
            throw new Unparseable(format + " header gives a size of " + width + "x" + height);
        }
        return new Header(format, width, height, 0);
    }

    /** Walks the JPEG markers to the first start-of-frame, as libjpeg does. */
    private static Header jpeg(Source in) throws IOException, Unparseable {
        long i = 2;
        while (true) {
            ByteBuffer m = in.read(i, 9).order(ByteOrder.BIG_ENDIAN);
            if (m.remaining() < 4 || (m.get(0) & 0xff) != 0xff) {
                throw new Unparseable("JPEG header has no frame size before byte " + i);
            }
            int marker = m.get(1) & 0xff;
            if (marker == 0xff) {
                i++;
                continue;
            }
            if (marker == 0x01 || marker >= 0xd0 && marker <= 0xd7) {
                i += 2;
                continue;
            }
            int length = m.getShort(2) & 0xffff;
            boolean sof = marker >= 0xc0 && marker <= 0xcf && marker != 0xc4 && marker != 0xc8 && marker != 0xcc;
            if (sof) {
                return sizeOf("JPEG", m.getShort(7) & 0xffff, m.getShort(5) & 0xffff, 9, m);
            }
            if (marker == 0xd9 || marker == 0xda || length < 2) {
                throw new Unparseable("JPEG header has no frame size before byte " + i);
            }
            i += 2 + length;
        }
    }

    private static Header png(ByteBuffer b) throws Unparseable {
        if (b.remaining() < 24 || !ascii(b, 12, 4).equals("IHDR")) {
            throw new Unparseable("PNG does not start with its IHDR chunk");
        }
        ByteBuffer be = b.duplicate().order(ByteOrder.BIG_ENDIAN);
        return sizeOf("PNG", be.getInt(16), be.getInt(20), 24, b);
    }

    private static Header webp(ByteBuffer b) throws Unparseable {
        if (b.remaining() < 30) {
            throw new Unparseable("WebP header is truncated");
        }
        return switch (ascii(b, 12, 4)) {
            case "VP8 " -> sizeOf("WebP", b.getShort(26) & 0x3fff, b.getShort(28) & 0x3fff, 30, b);
            case "VP8L" -> {
                int bits = b.getInt(21);
                yield sizeOf("WebP", (bits & 0x3fff) + 1, ((bits >>> 14) & 0x3fff) + 1, 25, b);
            }
            case "VP8X" -> sizeOf("WebP", 1 + (b.getInt(24) & 0xffffff), 1 + (b.getInt(27) & 0xffffff), 30, b);
            default -> throw new Unparseable("WebP with an unknown first chunk");
        };
    }

    private static Header gif(ByteBuffer b) throws Unparseable {
        if (b.remaining() < 10 || !(ascii(b, 0, 6).equals("GIF87a") || ascii(b, 0, 6).equals("GIF89a"))) {
            throw new Unparseable("GIF header is not GIF87a or GIF89a");
        }
        return sizeOf("GIF", b.getShort(6) & 0xffff, b.getShort(8) & 0xffff, 10, b);
    }

    private static Header bmp(ByteBuffer b) throws Unparseable {
        if (b.remaining() < 26) {
            throw new Unparseable("BMP header is truncated");
        }
        int dib = b.getInt(14);
        if (dib == 12) {
            return sizeOf("BMP", b.getShort(18) & 0xffff, b.getShort(20) & 0xffff, 22, b);
        }
        if (dib < 16 || dib > 1024) {
            throw new Unparseable("BMP with an unknown info header of " + dib + " bytes");
        }
        long height = b.getInt(22);
        return sizeOf("BMP", b.getInt(18), Math.abs(height), 26, b); // negative height: rows top-down
    }
}
