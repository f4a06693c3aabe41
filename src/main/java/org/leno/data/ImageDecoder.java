package org.leno.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decodes an image file into an 8-bit, 3-channel RGB {@link Mat} as PIL's {@code convert("RGB")}
 * would: grey, palette, alpha and 16-bit inputs converted, EXIF orientation ignored. A file whose
 * header claims more pixels than PIL's decompression-bomb limit is refused before decoding.
 */
public final class ImageDecoder {
    /** PIL's DecompressionBombError threshold (2 x Image.MAX_IMAGE_PIXELS). */
    public static final long MAX_PIXELS = 2L * 89_478_485L;

    private ImageDecoder() {
    }

    public static Mat decode(Path file) {
        return decode(file, file.toString());
    }

    /** Decodes {@code file}, naming it {@code name} in errors. */
    public static Mat decode(Path file, String name) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UnreadableImageException(name + ": cannot read (" + e.getClass().getSimpleName() + ")");
        }
        return decode(bytes, name);
    }

    public static Mat decode(byte[] bytes, String name) {
        if (bytes.length == 0) {
            throw new UnreadableImageException(name + ": empty file");
        }
        Optional<ImageHeader.Size> size = ImageHeader.read(bytes);
        if (size.isPresent() && size.get().pixels() > MAX_PIXELS) {
            throw new UnreadableImageException(name + ": header claims " + size.get().width() + "x"
                    + size.get().height() + " pixels, over the limit of " + MAX_PIXELS + " (decompression bomb?)");
        }
        if (isTruncatedJpeg(bytes)) {
            throw new UnreadableImageException(name + ": truncated JPEG (no end-of-image marker)");
        }
        Mat img;
        try (BytePointer data = new BytePointer(bytes); Mat buf = new Mat(1, bytes.length, opencv_core.CV_8UC1, data)) {
            img = opencv_imgcodecs.imdecode(buf,
                    opencv_imgcodecs.IMREAD_COLOR_RGB | opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION);
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
