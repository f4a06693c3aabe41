package org.leno.internal.data.augment;

import java.util.SplittableRandom;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.data.loader.Transform;

/**
 * The validation transform of the reference: resize the shorter side to {@code resize} (as
 * torchvision's Resize(int)), centre-crop {@code crop} (as CenterCrop, zero-padding a smaller
 * image), scale to [0,1] and normalise with the ImageNet mean and std, into CHW floats. The resize
 * uses {@code interpolation} through {@code resampler} (by default Pillow's own resampling, equal to
 * torchvision's on the reference's PIL images). An image already of the target size is not resampled.
 */
public record ValTransform(int resize, int crop, Resampler resampler, Interpolation interpolation) implements Transform {
    public static final float[] MEAN = Normalize.MEAN;
    public static final float[] STD = Normalize.STD;

    public ValTransform {
        if (resize < 1 || crop < 1) {
            throw new IllegalArgumentException("--val_resize and --val_crop_size must be positive");
        }
        if (resampler == null || interpolation == null) {
            throw new IllegalArgumentException("resampler and interpolation must be given");
        }
    }

    /** The reference's: PIL's bilinear. */
    public static ValTransform of(int resize, int crop) {
        return new ValTransform(resize, crop, Resampler.PIL, Interpolation.BILINEAR);
    }

    @Override
    public int outputSize() { return crop; }

    @Override
    public void apply(Mat rgb, SplittableRandom unused, FloatPointer dst) {
        try (Mat resized = resizeShorterSide(rgb);
             Mat cropped = centerCrop(resized, crop)) {
            Normalize.toChw(cropped, false, dst);
        }
    }

    /** The first step: the image with its shorter side resized to {@link #resize()}, as a new Mat. */
    public Mat resizeShorterSide(Mat rgb) {
        int w = rgb.cols();
        int h = rgb.rows();
        int newW;
        int newH;
        if (w <= h) {
            newW = resize;
            newH = (int) ((long) resize * h / w);
        } else {
            newH = resize;
            newW = (int) ((long) resize * w / h);
        }
        return resampler.resize(rgb, newW, newH, interpolation);
    }

    /**
     * Another crop than the centre's (test-time augmentation): the {@code crop} x {@code crop} square
     * of {@code resized} at ({@code left}, {@code top}), mirrored left to right when {@code mirror},
     * normalised into new CHW floats. The square must lie inside the image.
     */
    public float[] crop(Mat resized, int left, int top, boolean mirror) {
        if (left < 0 || top < 0 || left + crop > resized.cols() || top + crop > resized.rows()) {
            throw new IllegalArgumentException("a " + crop + "x" + crop + " crop at (" + left + ", " + top
                    + ") does not fit a " + resized.cols() + "x" + resized.rows() + " image");
        }
        float[] out = new float[3 * crop * crop];
        try (Rect r = new Rect(left, top, crop, crop); Mat view = new Mat(resized, r); Mat square = view.clone();
             FloatPointer p = new FloatPointer(out.length)) {
            Normalize.toChw(square, mirror, p);
            p.get(out);
        }
        return out;
    }

    /** The transform of one image as a new CHW float array. */
    public float[] apply(Mat rgb) {
        float[] out = new float[3 * crop * crop];
        try (FloatPointer p = new FloatPointer(out.length)) {
            apply(rgb, null, p);
            p.get(out);
        }
        return out;
    }

    static Mat centerCrop(Mat src, int crop) {
        int w = src.cols();
        int h = src.rows();
        Mat padded = src;
        if (w < crop || h < crop) {
            int padLeft = Math.max(0, (crop - w) / 2);
            int padTop = Math.max(0, (crop - h) / 2);
            int padRight = Math.max(0, (crop - w + 1) / 2);
            int padBottom = Math.max(0, (crop - h + 1) / 2);
            padded = new Mat();
            try (Scalar zero = new Scalar(0.0)) {
                opencv_core.copyMakeBorder(src, padded, padTop, padBottom, padLeft, padRight,
                        opencv_core.BORDER_CONSTANT, zero);
            }
            w = padded.cols();
            h = padded.rows();
        }
        int top = (int) Math.rint((h - crop) / 2.0);
        int left = (int) Math.rint((w - crop) / 2.0);
        try (Rect r = new Rect(left, top, crop, crop); Mat view = new Mat(padded, r)) {
            return view.clone();
        } finally {
            if (padded != src) {
                padded.close();
            }
        }
    }
}
