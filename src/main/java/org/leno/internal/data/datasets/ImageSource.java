package org.leno.internal.data.datasets;

import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.UnreadableImageException;

/** A labelled set of images, each decoded on demand to 8-bit RGB. */
public interface ImageSource {
    int size();

    int label(int index);

    /** The image as an 8-bit 3-channel RGB Mat owned by the caller; throws {@link UnreadableImageException}. */
    Mat rgb(int index);

    /** Names the sample in messages (a path relative to the data root, or a set name and index). */
    String describe(int index);

    List<String> classes();
}
