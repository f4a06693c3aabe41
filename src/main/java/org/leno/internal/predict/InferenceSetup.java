package org.leno.internal.predict;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelCard;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;

/**
 * The model, validation transform and class names to classify with: the model card's values,
 * overridden by what was given. A bare state dict without a card keeps `leno predict`'s defaults
 * (LeNo-ResNet-50, 1000 classes, 256/224); a checkpoint without a card must be told what it lacks.
 */
public record InferenceSetup(ModelConfig model, ValTransform transform, List<String> classNames) {
    private static final ModelConfig DEFAULT_MODEL = ModelConfig.of(Arch.LENORESNET, 50, 1000);
    private static final int DEFAULT_RESIZE = 256;
    private static final int DEFAULT_CROP = 224;

    public InferenceSetup {
        classNames = List.copyOf(classNames);
    }

    /** The name of class {@code index}, else the index itself. */
    public String label(int index) {
        return index < classNames.size() ? classNames.get(index) : Integer.toString(index);
    }

    /** The model card of this set-up: what a file written from it records (the class names as given). */
    public ModelCard card() {
        return new ModelCard(model, classNames, new ModelCard.Preprocessing(transform.resize(), transform.crop(),
                transform.resampler().toString(), transform.interpolation().toString(), doubles(ValTransform.MEAN),
                doubles(ValTransform.STD), ModelCard.GREY_REPLICATE));
    }

    private static List<Double> doubles(float[] values) {
        List<Double> out = new ArrayList<>();
        for (float v : values) {
            out.add(Double.parseDouble(Float.toString(v))); // 0.485, not 0.48500001430511475
        }
        return out;
    }

    public static InferenceSetup of(ModelFile f, Overrides o) {
        String file = f.file().toString();
        if (f.card().isPresent()) {
            return fromCard(f.card().get(), o, file);
        }
        ModelConfig model = f.isCheckpoint() ? checkpointModel(f, o) : new ModelConfig(o.arch().orElse(DEFAULT_MODEL.arch()),
                o.depth().orElse(DEFAULT_MODEL.depth()), o.nClasses().orElse(DEFAULT_MODEL.nClasses()), false, 0);
        ValTransform t = ValTransform.of(o.valResize().orElse(DEFAULT_RESIZE), o.valCrop().orElse(DEFAULT_CROP));
        return new InferenceSetup(model, t, names(o, List.of(), model.nClasses()));
    }

    private static InferenceSetup fromCard(ModelCard card, Overrides o, String file) {
        ModelConfig m = card.model();
        ModelConfig model = new ModelConfig(o.arch().orElse(m.arch()), o.depth().orElse(m.depth()),
                o.nClasses().orElse(m.nClasses()), m.zeroInitResidual(), m.dropout());
        ModelCard.Preprocessing p = card.preprocessing();
        check(p, file);
        ValTransform t = new ValTransform(o.valResize().orElse(p.resize()), o.valCrop().orElse(p.crop()),
                Resampler.valueOf(p.resampler().toUpperCase(Locale.ROOT)),
                Interpolation.valueOf(p.interpolation().toUpperCase(Locale.ROOT)));
        List<String> recorded = card.classNames().size() <= model.nClasses() ? card.classNames() : List.of();
        return new InferenceSetup(model, t, names(o, recorded, model.nClasses()));
    }

    /** A checkpoint without a card: the flags, else its own 'arch' and (ours) leno.depth and leno.n_classes. */
    private static ModelConfig checkpointModel(ModelFile f, Overrides o) {
        Map<?, ?> c = f.loaded().checkpoint().orElseThrow();
        Map<?, ?> leno = c.get("leno") instanceof Map<?, ?> m ? m : Map.of();
        f.loaded().arch().filter(a -> Arch.byId(a).isEmpty()).ifPresent(a -> {
            throw new InterchangeException(f.file() + " is a checkpoint of architecture '" + a.replaceAll("\\p{Cntrl}", "?")
                    + "', which leno does not know (it knows " + String.join(", ", Arch.ids()) + ")");
        });
        List<String> missing = new ArrayList<>();
        Arch arch = o.arch().orElseGet(() -> f.loaded().arch().flatMap(Arch::byId).orElse(null));
        OptionalInt depth = o.depth().isPresent() ? o.depth() : whole(leno.get("depth"));
        OptionalInt classes = o.nClasses().isPresent() ? o.nClasses() : whole(leno.get("n_classes"));
        if (arch == null) {
            missing.add("-a");
        }
        if (depth.isEmpty()) {
            missing.add("--model_depth");
        }
        if (classes.isEmpty()) {
            missing.add("--n_classes");
        }
        if (o.valResize().isEmpty()) {
            missing.add("--val_resize");
        }
        if (o.valCrop().isEmpty()) {
            missing.add("--val_crop_size");
        }
        if (!missing.isEmpty()) {
            throw new InterchangeException(f.file() + " has no " + ModelCard.KEY + " (a checkpoint of the reference program "
                    + "or of an older leno); pass " + String.join(" ", missing));
        }
        ModelRegistry.blocksPerStage(arch, depth.getAsInt());
        return new ModelConfig(arch, depth.getAsInt(), classes.getAsInt(), false, 0);
    }

    private static OptionalInt whole(Object v) {
        return (v instanceof Long || v instanceof Integer) && ((Number) v).longValue() > 0
                && ((Number) v).longValue() <= Integer.MAX_VALUE ? OptionalInt.of(((Number) v).intValue()) : OptionalInt.empty();
    }

    private static List<String> names(Overrides o, List<String> recorded, int nClasses) {
        List<String> given = o.classNames().orElse(recorded);
        if (given.size() > nClasses) {
            throw new IllegalArgumentException(given.size() + " class names for a model of " + nClasses + " classes");
        }
        return given;
    }

    /** The card's transform must be one this program applies; anything else is one line. */
    private static void check(ModelCard.Preprocessing p, String file) {
        String at = file + ": " + ModelCard.KEY + ".val_transform.";
        if (!List.of("pil", "opencv").contains(p.resampler())) {
            throw new InterchangeException(at + "resampler '" + InterchangeException.printable(p.resampler())
                    + "' is not pil or opencv");
        }
        if (!List.of("bilinear", "bicubic", "nearest").contains(p.interpolation())) {
            throw new InterchangeException(at + "interpolation '" + InterchangeException.printable(p.interpolation())
                    + "' is not bilinear, bicubic or nearest");
        }
        if (!sameFloats(p.mean(), ValTransform.MEAN) || !sameFloats(p.std(), ValTransform.STD)) {
            throw new InterchangeException(at + "mean " + p.mean() + " and std " + p.std()
                    + " are not ImageNet's, the only normalisation leno applies");
        }
        if (!ModelCard.GREY_REPLICATE.equals(p.greyToRgb())) {
            throw new InterchangeException(at + "grey_to_rgb '" + InterchangeException.printable(p.greyToRgb())
                    + "' is not '" + ModelCard.GREY_REPLICATE + "'");
        }
    }

    private static boolean sameFloats(List<Double> values, float[] expected) {
        for (int i = 0; i < expected.length; i++) {
            if ((float) values.get(i).doubleValue() != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
