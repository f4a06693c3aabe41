package org.leno.internal.data.decode;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Deflater;

/** Grey 8-bit BigTIFF files of any size, their strips deflated (zeros), all strips sharing one compressed run. */
final class TiffFiles {
    private TiffFiles() {
    }

    /** A BigTIFF of {@code width x height} zero pixels in strips of {@code rowsPerStrip} rows. */
    static byte[] bigTiff(int width, int height, int rowsPerStrip) {
        byte[] strip = deflate(new byte[width * rowsPerStrip]);
        int strips = (height + rowsPerStrip - 1) / rowsPerStrip;
        int entries = 9;
        long ifd = 16;
        long ifdSize = 8 + entries * 20L + 8;
        long offsetsAt = ifd + ifdSize;
        long countsAt = offsetsAt + 8L * strips;
        long dataAt = countsAt + 8L * strips;
        ByteBuffer b = ByteBuffer.allocate((int) (dataAt + strip.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 'I').put((byte) 'I').putShort((short) 0x2b).putShort((short) 8).putShort((short) 0).putLong(ifd);
        b.putLong(entries);
        entry(b, 256, 16, 1, width);                         // ImageWidth, LONG8
        entry(b, 257, 16, 1, height);                        // ImageLength
        entry(b, 258, 3, 1, 8);                              // BitsPerSample
        entry(b, 259, 3, 1, 8);                              // Compression: Adobe deflate
        entry(b, 262, 3, 1, 1);                              // Photometric: BlackIsZero
        entry(b, 273, 16, strips, strips == 1 ? dataAt : offsetsAt); // StripOffsets
        entry(b, 277, 3, 1, 1);                              // SamplesPerPixel
        entry(b, 278, 16, 1, rowsPerStrip);                  // RowsPerStrip
        entry(b, 279, 16, strips, strips == 1 ? strip.length : countsAt); // StripByteCounts
        b.putLong(0);
        if (strips > 1) {
            for (int i = 0; i < strips; i++) {
                b.putLong(dataAt);
            }
            for (int i = 0; i < strips; i++) {
                b.putLong(strip.length);
            }
        } else {
            b.position((int) dataAt);
        }
        b.put(strip);
        return b.array();
    }

    private static void entry(ByteBuffer b, int tag, int type, long count, long value) {
        b.putShort((short) tag).putShort((short) type).putLong(count).putLong(value);
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.BEST_COMPRESSION);
        d.setInput(data);
        d.finish();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = new byte[1 << 16];
        while (!d.finished()) {
            out.write(chunk, 0, d.deflate(chunk));
        }
        d.end();
        return out.toByteArray();
    }
}
