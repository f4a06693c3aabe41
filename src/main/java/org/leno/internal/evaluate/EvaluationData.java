package org.leno.internal.evaluate;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.leno.internal.data.datasets.Datasets;
import org.leno.internal.data.datasets.FashionMnist;
import org.leno.internal.data.datasets.ImageFolder;
import org.leno.internal.data.datasets.ImageSource;
import org.leno.internal.data.datasets.Subset;
import org.leno.internal.data.decode.ImageDecoder;

/** The labelled images to evaluate, and how to name them: a data set as `leno train --data` names one, or any ImageFolder. */
public record EvaluationData(ImageSource source, String description) {
    /**
     * {@code data}: null for the embedded Fashion-MNIST subset, {@code fashion-mnist} for the full set,
     * else a folder: its {@code split} sub-folder when it has one (as `leno train --data` reads it), else
     * the folder itself as an ImageFolder. {@code samples} above 0 keeps that many images, stratified as
     * {@code leno train --val-samples} keeps them.
     */
    public static EvaluationData open(String data, String split, int samples, long maxPixels) {
        if (samples < 0) {
            throw new IllegalArgumentException("--val-samples must not be negative, got " + samples);
        }
        ImageSource source;
        String description;
        if (data == null || data.equals(Datasets.FASHION_MNIST)) {
            if (!List.of("train", "val").contains(split)) {
                throw new IllegalArgumentException("--split " + split + ": the " + (data == null ? "embedded " : "")
                        + "Fashion-MNIST data has the splits train and val");
            }
            source = data == null ? FashionMnist.embedded(split) : FashionMnist.full(split);
            description = (data == null ? "the embedded Fashion-MNIST subset" : "Fashion-MNIST") + ", " + split;
        } else {
            Path dir = Path.of(data);
            EvaluationData folder = imageFolder(Files.isDirectory(dir.resolve(split)) ? dir.resolve(split) : dir, maxPixels);
            source = folder.source();
            description = folder.description();
        }
        if (samples > 0 && samples < source.size()) {
            source = new Subset(source, samples);
            description += " (" + samples + " images, stratified as --val-samples)";
        }
        return new EvaluationData(source, description);
    }

    /** The ImageFolder {@code dir} ({@code dir/<class>/<image>}); what its scan skipped is a warning on stderr. */
    public static EvaluationData imageFolder(Path dir, long maxPixels) {
        ImageFolder images = ImageFolder.scan(dir, new ImageDecoder(maxPixels));
        if (images.scanSummary() != null) {
            System.err.println("leno: warning: " + dir + ": " + images.scanSummary());
        }
        return new EvaluationData(images, dir.toString());
    }
}
