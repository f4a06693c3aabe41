package org.leno.internal.data.decode;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes an image file into an 8-bit, 3-channel RGB {@link Mat} as PIL's {@code convert("RGB")}
 * would: grey, palette, alpha and 16-bit inputs converted, EXIF orientation ignored. Before
 * anything is decoded, the format is sniffed from the bytes and the header's size checked against
 * {@link #maxPixels()}; a format whose header cannot be read is refused, and so is a file larger
 * than an image of its size can be ({@link #maxFileBytes}), before it is read into memory.
 */
public final class ImageDecoder {
    /** PIL's Image.MAX_IMAGE_PIXELS (PIL warns above it; we refuse, as PIL does above twice it). */
    public static final long DEFAULT_MAX_PIXELS = 89_478_485L;
    /** The most bytes a pixel takes in any format OpenCV reads: 4 channels of 32-bit floats (TIFF, PFM). */
    static final int MAX_BYTES_PER_PIXEL = 16;
    /** Room for headers, metadata (EXIF, ICC profiles, thumbnails) and container overhead. */
    static final long FILE_SLACK = 16L << 20;

    private final long maxPixels;

    /** A decoder refusing images whose header claims more than {@code maxPixels} pixels. */
    public ImageDecoder(long maxPixels) {
        if (maxPixels < 1) {
            throw new IllegalArgumentException("--max-image-pixels must be at least 1, got " + maxPixels);
        }
        this.maxPixels = maxPixels;
    }

    public static ImageDecoder withDefaultLimit() {
        return new ImageDecoder(DEFAULT_MAX_PIXELS);
    }

    public long maxPixels() { return maxPixels; }

    /** The largest file a legitimate image of {@code pixels} pixels can be (a Java array's size at most). */
    static long maxFileBytes(long pixels) {
        long bytes = ImageHeader.Header.product(pixels, MAX_BYTES_PER_PIXEL);
        return Math.min(Integer.MAX_VALUE - 64L, bytes > Long.MAX_VALUE - FILE_SLACK ? Long.MAX_VALUE : bytes + FILE_SLACK);
    }

    public Mat decode(Path file) {
        return decode(file, file.toString());
    }

    /** Decodes {@code file}, naming it {@code name} in errors. */
    public Mat decode(Path file, String name) {
        byte[] bytes;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size == 0) {
                throw new UnreadableImageException(name + ": empty file");
            }
            if (size > maxFileBytes(maxPixels)) {
                throw new UnreadableImageException(name + ": file of " + size + " bytes is larger than any image"
                        + " within --max-image-pixels " + maxPixels + " can be (" + maxFileBytes(maxPixels) + " bytes)");
            }
            ImageHeader.Header header = check(ImageHeader.Source.of(ch), name);
            if (size > maxFileBytes(header.pixels())) {
                throw new UnreadableImageException(name + ": file of " + size + " bytes is larger than a "
                        + header.width() + "x" + header.height() + " " + header.format() + " can be");
            }
            ByteBuffer all = ByteBuffer.allocate((int) size);
            while (all.hasRemaining() && ch.read(all, all.position()) > 0) {
                // read to the size measured above
            }
            bytes = all.array();
        } catch (IOException e) {
            throw new UnreadableImageException(name + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
        return imdecode(bytes, name);
    }

    public Mat decode(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new UnreadableImageException(name + ": empty file");
        }
        try {
            check(ImageHeader.Source.of(bytes), name);
        } catch (IOException e) {
            throw new IllegalStateException(e); // an in-memory source does not throw
        }
        return imdecode(bytes, name);
    }

    /** The header, if it can be read and its image is within the limit. */
    private ImageHeader.Header check(ImageHeader.Source source, String name) throws IOException {
        ImageHeader.Header h;
        try {
            h = ImageHeader.read(source);
        } catch (ImageHeader.Unparseable e) {
            throw new UnreadableImageException(name + ": not a decodable image (" + e.getMessage() + ")");
        }
        if (h.pixels() > maxPixels) {
            throw new UnreadableImageException(name + ": " + h.format() + " header claims " + h.width() + "x"
                    + h.height() + " pixels, over --max-image-pixels " + maxPixels + " (decompression bomb?)");
        }
        if (h.tilePixels() > maxPixels) {
            throw new UnreadableImageException(name + ": " + h.format() + " asks for tiles or strips of "
                    + h.tilePixels() + " pixels, over --max-image-pixels " + maxPixels);
        }
        return h;
    }

    private static Mat imdecode(byte[] bytes, String name) {
        if (isTruncatedJpeg(bytes)) {
            throw new UnreadableImageException(name + ": truncated JPEG (no end-of-image marker)");
        }
        Mat img;
        try (BytePointer data = new BytePointer(bytes); Mat buf = new Mat(1, bytes.length, opencv_core.CV_8UC1, data)) {
            img = opencv_imgcodecs.imdecode(buf,
                    opencv_imgcodecs.IMREAD_COLOR_RGB | opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION);
        } catch (RuntimeException e) {
            throw new UnreadableImageException(name + ": not a decodable image (OpenCV: "
                    + e.getMessage().lines().findFirst().orElse("") + ")");
        }
        if (img == null || img.empty() || img.channels() != 3) {
            throw new UnreadableImageException(name + ": not a decodable image");
        }
        return img;
    }

    /** libjpeg decodes a truncated file with a grey bottom; PIL refuses it, and so do we. */
    static boolean isTruncatedJpeg(byte[] b) {
        if (b.length < 4 || (b[0] & 0xff) != 0xff || (b[1] & 0xff) != 0xd8) {
            return false;
        }
        int end = b.length;
        while (end > 2 && b[end - 1] == 0) {
            end--;
        }
        for (int i = end - 2; i >= Math.max(0, end - 64); i--) {
            if ((b[i] & 0xff) == 0xff && (b[i + 1] & 0xff) == 0xd9) {
                return false;
            }
        }
        return true;
    }
}
