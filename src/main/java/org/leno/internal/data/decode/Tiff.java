package org.leno.internal.data.decode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The size fields of a TIFF or BigTIFF file's first image (the page OpenCV decodes), read by offset. */
final class Tiff {
    private static final int IMAGE_WIDTH = 256;
    private static final int IMAGE_LENGTH = 257;
    private static final int ROWS_PER_STRIP = 278;
    private static final int TILE_WIDTH = 322;
    private static final int TILE_LENGTH = 323;
    private static final int MAX_ENTRIES = 4096;

    private Tiff() {
    }

    static ImageHeader.Header read(ImageHeader.Source in, boolean big) throws IOException, ImageHeader.Unparseable {
        String format = big ? "BigTIFF" : "TIFF";
        ByteBuffer h = in.read(0, 16);
        ByteOrder order = h.get(0) == 'I' ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        h.order(order);
        long ifd;
        if (big) {
            if (h.remaining() < 16 || h.getShort(4) != 8 || h.getShort(6) != 0) {
                throw new ImageHeader.Unparseable("BigTIFF header is malformed");
            }
            ifd = h.getLong(8);
        } else {
            if (h.remaining() < 8) {
                throw new ImageHeader.Unparseable("TIFF header is truncated");
            }
            ifd = h.getInt(4) & 0xffffffffL;
        }
        if (ifd < 8 || ifd >= in.size()) {
            throw new ImageHeader.Unparseable(format + " first directory at " + ifd + " is outside the file");
        }
        ByteBuffer c = in.read(ifd, 8).order(order);
        long count = big ? (c.remaining() < 8 ? -1 : c.getLong(0)) : (c.remaining() < 2 ? -1 : c.getShort(0) & 0xffff);
        if (count <= 0 || count > MAX_ENTRIES) {
            throw new ImageHeader.Unparseable(format + " first directory has " + count + " entries");
        }
        int size = big ? 20 : 12;
        ByteBuffer e = in.read(ifd + (big ? 8 : 2), (int) count * size).order(order);
        if (e.remaining() < count * size) {
            throw new ImageHeader.Unparseable(format + " first directory is truncated");
        }
        long width = -1;
        long height = -1;
        long rowsPerStrip = 0;
        long tileWidth = 0;
        long tileLength = 0;
        for (int k = 0; k < count; k++) {
            int at = k * size;
            int tag = e.getShort(at) & 0xffff;
            long value = value(e, at, big);
            switch (tag) {
                case IMAGE_WIDTH -> width = value;
                case IMAGE_LENGTH -> height = value;
                case ROWS_PER_STRIP -> rowsPerStrip = value;
                case TILE_WIDTH -> tileWidth = value;
                case TILE_LENGTH -> tileLength = value;
                default -> { }
            }
        }
        if (width <= 0 || height <= 0) {
            throw new ImageHeader.Unparseable(format + " first directory gives a size of " + width + "x" + height);
        }
        long tile = tileWidth > 0 || tileLength > 0 ? ImageHeader.Header.product(tileWidth, tileLength)
                : ImageHeader.Header.product(width, rowsPerStrip <= 0 ? height : Math.min(rowsPerStrip, height));
        return new ImageHeader.Header(format, width, height, tile);
    }

    /** A single SHORT, LONG or LONG8 value stored in the entry itself; -1 for anything else. */
    private static long value(ByteBuffer e, int at, boolean big) {
        int type = e.getShort(at + 2) & 0xffff;
        long count = big ? e.getLong(at + 4) : e.getInt(at + 4) & 0xffffffffL;
        int v = at + (big ? 12 : 8);
        if (count != 1) {
            return -1;
        }
        return switch (type) {
            case 3 -> e.getShort(v) & 0xffff;
            case 4 -> e.getInt(v) & 0xffffffffL;
            case 16 -> big ? e.getLong(v) : -1;
            default -> -1;
        };
    }
}
