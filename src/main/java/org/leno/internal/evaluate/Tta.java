package org.leno.internal.evaluate;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.augment.ValTransform;

/**
 * Test-time augmentation: the views of an image whose logits are averaged. The geometry is
 * torchvision's: {@code FiveCrop} takes the four corners and the centre of the resized image
 * (the centre at {@code round((h - crop) / 2)}, Python's rounding, as {@code CenterCrop});
 * {@code TenCrop} adds the five crops of the mirrored image; {@code flip} is the centre crop and its mirror.
 */
public enum Tta {
    NONE("none"), FLIP("flip"), FIVE_CROP("five-crop"), TEN_CROP("ten-crop");

    /** One view: the crop's top-left corner in the resized image, mirrored left to right or not. */
    public record View(int left, int top, boolean mirror) {}

    private final String flag;

    Tta(String flag) {
        this.flag = flag;
    }

    public String flag() { return flag; }

    /** The value of {@code --tta}; anything else is one line naming the choices. */
    public static Tta parse(String text) {
        for (Tta t : values()) {
            if (t.flag.equals(text.toLowerCase(Locale.ROOT))) {
                return t;
            }
        }
        throw new IllegalArgumentException("--tta " + text + ": expected one of "
                + Arrays.stream(values()).map(Tta::flag).collect(Collectors.joining(", ")));
    }

    /** How many views each image gives. */
    public int views() {
        return switch (this) {
            case NONE -> 1;
            case FLIP -> 2;
            case FIVE_CROP -> 5;
            case TEN_CROP -> 10;
        };
    }

    /** Which view is the plain centre crop, the transform's own (for the gain against the plain pass). */
    public int plainView() {
        return this == FIVE_CROP || this == TEN_CROP ? 4 : 0;
    }

    /**
     * Refuses, in one line, a transform whose crop the corner crops cannot take: a crop larger than
     * the resized shorter side (torchvision's FiveCrop raises there; CenterCrop would pad).
     */
    public void check(ValTransform t) {
        if (this != NONE && t.crop() > t.resize()) {
            throw new IllegalArgumentException("--tta " + flag + ": the crop (" + t.crop() + ") is larger than the resized "
                    + "shorter side (" + t.resize() + "), so there are no corner or mirrored crops to take; "
                    + "use --val_resize " + t.crop() + " or more, or no --tta");
        }
    }

    /** The views of an image of {@code width} x {@code height} (after the resize) for a square crop of {@code crop}. */
    public List<View> views(int width, int height, int crop) {
        int centreLeft = (int) Math.rint((width - crop) / 2.0);
        int centreTop = (int) Math.rint((height - crop) / 2.0);
        if (this == NONE || this == FLIP) {
            List<View> out = new ArrayList<>(List.of(new View(centreLeft, centreTop, false)));
            if (this == FLIP) {
                out.add(new View(centreLeft, centreTop, true));
            }
            return out;
        }
        List<View> out = fiveCrop(width, height, crop, false);
        if (this == TEN_CROP) {
            out.addAll(fiveCrop(width, height, crop, true));
        }
        return out;
    }

    /**
     * FiveCrop's (top-left, top-right, bottom-left, bottom-right, centre); {@code mirrored}: of the
     * mirrored image, each crop's left edge mapped back into the image (a crop at x of the mirror is
     * the mirror of the crop at {@code width - crop - x}).
     */
    private static List<View> fiveCrop(int width, int height, int crop, boolean mirrored) {
        int right = width - crop;
        int bottom = height - crop;
        int[][] corners = {{0, 0}, {right, 0}, {0, bottom}, {right, bottom},
                {(int) Math.rint(right / 2.0), (int) Math.rint(bottom / 2.0)}};
        List<View> out = new ArrayList<>();
        for (int[] c : corners) {
            out.add(new View(mirrored ? right - c[0] : c[0], c[1], mirrored));
        }
        return out;
    }

    /**
     * The model inputs of one 8-bit RGB image: for {@link #NONE} the transform's own output (padding
     * a small image as CenterCrop does), else one per view of the resized image.
     */
    public List<float[]> inputs(Mat rgb, ValTransform t) {
        if (this == NONE) {
            return List.of(t.apply(rgb));
        }
        try (Mat resized = t.resizeShorterSide(rgb)) {
            List<float[]> out = new ArrayList<>();
            for (View v : views(resized.cols(), resized.rows(), t.crop())) {
                out.add(t.crop(resized, v.left(), v.top(), v.mirror()));
            }
            return out;
        }
    }

    /** The mean of the views' logits (summed in double, rounded once). */
    public static float[] average(List<float[]> logits) {
        int classes = logits.get(0).length;
        float[] out = new float[classes];
        for (int c = 0; c < classes; c++) {
            double sum = 0;
            for (float[] l : logits) {
                sum += l[c];
            }
            out[c] = (float) (sum / logits.size());
        }
        return out;
    }
}
