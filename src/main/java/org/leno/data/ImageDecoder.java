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
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UnreadableImageException(file + ": cannot read (" + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
        return decode(bytes, file.toString());
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
}
