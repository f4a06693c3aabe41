package org.leno.internal.cli;

import org.leno.internal.data.decode.ImageDecoder;
import picocli.CommandLine.Option;

/** {@code --max-image-pixels}: the decompression-bomb limit of every command that decodes image files. */
public final class ImageLimitOptions {
    /** OpenCV's own limit, read from the environment once per process (the bindings offer no setter). */
    static final String OPENCV_LIMIT = "OPENCV_IO_MAX_IMAGE_PIXELS";
    /** OpenCV's default when the variable is unset. */
    static final long OPENCV_DEFAULT = 1L << 30;

    @Option(names = {"--max-image-pixels", "--max_image_pixels"}, paramLabel = "N",
            defaultValue = "" + ImageDecoder.DEFAULT_MAX_PIXELS,
            description = "Refuse image files whose header claims more pixels than this, before decoding them"
                    + " (default: ${DEFAULT-VALUE}, PIL's Image.MAX_IMAGE_PIXELS).")
    long maxImagePixels = ImageDecoder.DEFAULT_MAX_PIXELS;

    public long maxImagePixels() {
        long opencv = opencvLimit(System.getenv(OPENCV_LIMIT));
        if (maxImagePixels > opencv) {
            throw new IllegalArgumentException("--max-image-pixels " + maxImagePixels + " is above OpenCV's own limit of "
                    + opencv + " pixels; raise " + OPENCV_LIMIT + " in the environment too");
        }
        return maxImagePixels;
    }

    /** A decoder with this limit. */
    public ImageDecoder decoder() {
        return new ImageDecoder(maxImagePixels());
    }

    static long opencvLimit(String env) {
        if (env == null || env.isBlank()) {
            return OPENCV_DEFAULT;
        }
        try {
            return Long.parseLong(env.strip());
        } catch (NumberFormatException e) {
            return OPENCV_DEFAULT;
        }
    }
}
