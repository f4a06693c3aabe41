package org.leno.internal.serve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.predict.FoldedForward;
import org.leno.internal.predict.ImageClassifier;
import org.leno.internal.predict.InferenceSetup;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.predict.Overrides;

/** A trained model of ours served: {@link ImageClassifier} (the inference path of `leno predict`). */
public final class ClassifierModel implements ServedModel {
    private final ImageClassifier classifier;
    private final Description description;

    private ClassifierModel(ImageClassifier classifier, Path file) {
        this.classifier = classifier;
        this.description = describe(classifier, file);
    }

    /** A loader reading run folders and checkpoints with their model cards, refusing images over {@code maxPixels}. */
    public static ModelLoader loader(long maxPixels, FoldedForward.Precision precision) {
        return weights -> {
            ModelFile file = ModelFile.read(weights, false);
            return new ClassifierModel(ImageClassifier.open(file, Overrides.none(), maxPixels, precision), file.file());
        };
    }

    @Override
    public Description description() {
        return description;
    }

    @Override
    public int classes() {
        return classifier.setup().model().nClasses();
    }

    @Override
    public float[] prepare(byte[] encoded, String name) {
        try (Mat rgb = classifier.decoder().decode(encoded, name)) {
            return classifier.input(rgb, name);
        }
    }

    @Override
    public float[][] logits(List<float[]> inputs) {
        return classifier.logits(inputs);
    }

    @Override
    public void close() {
        classifier.close();
    }

    private static Description describe(ImageClassifier classifier, Path file) {
        InferenceSetup s = classifier.setup();
        ValTransform t = s.transform();
        Map<String, Object> pre = new LinkedHashMap<>();
        pre.put("resize", t.resize());
        pre.put("crop", t.crop());
        pre.put("resampler", t.resampler().toString());
        pre.put("interpolation", t.interpolation().toString());
        pre.put("mean", floats(ValTransform.MEAN));
        pre.put("std", floats(ValTransform.STD));
        pre.put("grey_to_rgb", "replicate");
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("arch", s.model().arch().id());
        model.put("depth", s.model().depth());
        model.put("n_classes", s.model().nClasses());
        model.put("precision", classifier.precision().toString().toLowerCase(Locale.ROOT));
        model.put("file", file.getFileName().toString());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < s.model().nClasses(); i++) {
            names.add(s.label(i));
        }
        return new Description(names, t.crop(), pre, model);
    }

    private static List<Double> floats(float[] values) {
        List<Double> out = new ArrayList<>();
        for (float v : values) {
            out.add(Double.parseDouble(Float.toString(v)));
        }
        return out;
    }
}
