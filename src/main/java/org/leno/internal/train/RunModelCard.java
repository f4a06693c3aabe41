package org.leno.internal.train;

import java.util.ArrayList;
import java.util.List;
import org.leno.internal.data.datasets.ImageSource;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.model.ModelCard;

/** The model card of a training run: its model flags, its data's class names and its validation transform. */
final class RunModelCard {
    private RunModelCard() {
    }

    /** {@code valSet}: the run's validation images, whose class names the card records (indices for --dummy). */
    static ModelCard of(TrainConfig cfg, ImageSource valSet) {
        List<String> names = new ArrayList<>();
        if (cfg.data().dummy()) {
            for (int i = 0; i < cfg.model().nClasses(); i++) {
                names.add(Integer.toString(i));
            }
        } else {
            names.addAll(valSet.classes());
        }
        ValTransform t = cfg.augmentation().valTransform(cfg.data().valResize(), cfg.data().valCropSize());
        return new ModelCard(cfg.model(), names, new ModelCard.Preprocessing(t.resize(), t.crop(), t.resampler().toString(),
                t.interpolation().toString(), doubles(ValTransform.MEAN), doubles(ValTransform.STD),
                ModelCard.GREY_REPLICATE));
    }

    private static List<Double> doubles(float[] values) {
        List<Double> out = new ArrayList<>();
        for (float v : values) {
            out.add(Double.parseDouble(Float.toString(v))); // 0.485, not 0.48500001430511475
        }
        return out;
    }
}
