package org.leno.internal.data.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 2 and 4a: every format OpenCV decodes here has its size read from its header,
 * whatever the file is called, and checked against the pixel limit before decoding; files whose
 * header cannot be read, and files larger than their image can be, are refused unread.
 */
class ImageLimitTest {
    static final int W = 37;
    static final int H = 23;

    /** The image encoded by OpenCV itself in each format its build writes. */
    static Map<String, byte[]> encodedByOpenCv() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String ext : new String[] {".jpg", ".png", ".bmp", ".ppm", ".pgm", ".pbm", ".pam", ".tif", ".webp", ".ras",
                ".gif", ".pfm", ".hdr"}) {
            boolean floats = ext.equals(".pfm") || ext.equals(".hdr");
            boolean grey = ext.equals(".pgm") || ext.equals(".pbm");
            int type = floats ? opencv_core.CV_32FC3 : grey ? opencv_core.CV_8UC1 : opencv_core.CV_8UC3;
            try (Mat img = new Mat(H, W, type, new Scalar(100, 50, 200, 0));
                 BytePointer buf = new BytePointer()) {
                if (!opencv_imgcodecs.imencode(ext, img, buf)) {
                    throw new IllegalStateException("OpenCV cannot write " + ext);
                }
                byte[] b = new byte[(int) buf.limit()];
                buf.get(b);
                out.put(ext, b);
            }
        }
        return out;
    }

    @Test
    void theHeaderOfEveryFormatGivesTheSizeOpenCvDecodes(@TempDir Path dir) throws IOException {
        for (Map.Entry<String, byte[]> e : encodedByOpenCv().entrySet()) {
            Path file = dir.resolve("image" + (e.getKey().equals(".jpg") ? ".png" : ".jpg")); // names lie
            Files.write(file, e.getValue());
            try (Mat m = new ImageDecoder(W * H).decode(file)) {
                assertThat(m.cols()).as(e.getKey()).isEqualTo(W);
                assertThat(m.rows()).as(e.getKey()).isEqualTo(H);
            }
            assertThatThrownBy(() -> new ImageDecoder(W * H - 1).decode(file)).as(e.getKey())
                    .isInstanceOf(UnreadableImageException.class)
                    .hasMessageContaining(file + ": ")
                    .hasMessageContaining("header claims 37x23 pixels, over --max-image-pixels 850");
        }
    }

    @Test
    void aBigTiffOf30000x30000UnderOneMegabyteIsRefusedWithoutDecoding(@TempDir Path dir) throws IOException {
        // the same writer makes a small BigTIFF that OpenCV decodes: the large one is a real image
        Path small = dir.resolve("small.tif");
        Files.write(small, TiffFiles.bigTiff(W, H, 5));
        try (Mat m = ImageDecoder.withDefaultLimit().decode(small)) {
            assertThat(m.cols()).isEqualTo(W);
            assertThat(m.rows()).isEqualTo(H);
        }
        Path bomb = dir.resolve("bomb.jpg");
        Files.write(bomb, TiffFiles.bigTiff(30000, 30000, 1000));
        assertThat(Files.size(bomb)).isLessThan(1 << 20);
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> ImageDecoder.withDefaultLimit().decode(bomb))
                .isInstanceOf(UnreadableImageException.class)
                .hasMessage(bomb + ": BigTIFF header claims 30000x30000 pixels, over --max-image-pixels 89478485"
                        + " (decompression bomb?)");
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).isLessThan(1 << 20);
    }

    @Test
    void aTiffAskingForHugeTilesIsRefused(@TempDir Path dir) throws IOException {
        byte[] tiff = TiffFiles.bigTiff(W, H, H);
        ByteBuffer b = ByteBuffer.wrap(tiff).order(ByteOrder.LITTLE_ENDIAN);
        int rowsEntry = 24 + 7 * 20; // the 8th entry: RowsPerStrip -> TileWidth, with TileLength after it
        b.putShort(rowsEntry, (short) 322).putLong(rowsEntry + 12, 1 << 16);
        b.putShort(rowsEntry + 20, (short) 323).putShort(rowsEntry + 22, (short) 16).putLong(rowsEntry + 24, 1)
                .putLong(rowsEntry + 32, 1 << 16);
        assertThatThrownBy(() -> ImageDecoder.withDefaultLimit().decode(tiff, "tiles.tif"))
                .hasMessage("tiles.tif: BigTIFF asks for tiles or strips of 4294967296 pixels, over --max-image-pixels 89478485");
    }

    @Test
    void bytesWhoseHeaderCannotBeReadAreRefusedBeforeDecoding() {
        ImageDecoder d = ImageDecoder.withDefaultLimit();
        assertThatThrownBy(() -> d.decode("this is not a jpeg".getBytes(), "x.jpg"))
                .hasMessageStartingWith("x.jpg: not a decodable image (not an image format OpenCV decodes here");
        assertThatThrownBy(() -> d.decode(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, (byte) 0xda, 0, 2, 0, 0}, "s.jpg"))
                .hasMessageStartingWith("s.jpg: not a decodable image (JPEG header has no frame size");
        assertThatThrownBy(() -> d.decode(new byte[] {0, 0, 0, 12, 'j', 'P', ' ', ' ', 13, 10, (byte) 0x87, 10}, "a.png"))
                .hasMessageStartingWith("a.png: not a decodable image (JPEG 2000 is not read");
        assertThatThrownBy(() -> d.decode("P6\n# only a comment\n".getBytes(), "p.ppm"))
                .hasMessage("p.ppm: not a decodable image (PPM header has no width and height)");
        assertThatThrownBy(() -> d.decode("#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n+X 3 -Y 2\n".getBytes(), "h.hdr"))
                .hasMessageStartingWith("h.hdr: not a decodable image (Radiance HDR header has no");
    }

    /** Issue 11 item 4a: a 3 GB sparse ".jpg" is refused without being read. */
    @Test
    void aFileLargerThanItsImageCanBeIsRefusedUnread(@TempDir Path dir) throws IOException {
        byte[] png = encodedByOpenCv().get(".png");
        Path sparse = dir.resolve("huge.jpg");
        Files.write(sparse, png);
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(3_000_000_000L);
        }
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> ImageDecoder.withDefaultLimit().decode(sparse))
                .isInstanceOf(UnreadableImageException.class)
                .hasMessage(sparse + ": file of 3000000000 bytes is larger than any image within --max-image-pixels"
                        + " 89478485 can be (1448432976 bytes)");
        try (RandomAccessFile f = new RandomAccessFile(sparse.toFile(), "rw")) {
            f.setLength(40_000_000L);
        }
        assertThatThrownBy(() -> ImageDecoder.withDefaultLimit().decode(sparse))
                .hasMessage(sparse + ": file of 40000000 bytes is larger than a 37x23 PNG can be");
        assertThat(mx.getCurrentThreadAllocatedBytes() - before).isLessThan(1 << 20);
    }
}
