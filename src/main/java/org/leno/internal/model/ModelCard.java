package org.leno.internal.model;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.leno.internal.interop.InterchangeException;

/**
 * What a checkpoint records so that its model can be rebuilt and used without flags: the model
 * configuration, the class names in index order, and the validation preprocessing. Stored under
 * {@link #KEY} as a plain dict (checkpoints) or as JSON in a safetensors file's metadata.
 */
public record ModelCard(ModelConfig model, List<String> classNames, Preprocessing preprocessing) {
    /** The checkpoint's top-level key (and the safetensors metadata key) that holds the card. */
    public static final String KEY = "model_card";
    public static final long FORMAT = 1;
    /** How a grey image becomes RGB: its value copied to the three channels (PIL's convert("RGB")). */
    public static final String GREY_REPLICATE = "replicate";

    /**
     * The validation transform: shorter side resized to {@code resize} with {@code interpolation}
     * computed by {@code resampler} (names as the flags spell them), centre crop {@code crop},
     * scaled to [0,1] and normalised by {@code mean} and {@code std}.
     */
    public record Preprocessing(int resize, int crop, String resampler, String interpolation, List<Double> mean,
                                List<Double> std, String greyToRgb) {
        public Preprocessing {
            mean = List.copyOf(mean);
            std = List.copyOf(std);
        }
    }

    public ModelCard {
        classNames = List.copyOf(classNames);
        if (classNames.size() > model.nClasses()) {
            throw new IllegalArgumentException(classNames.size() + " class names for " + model.nClasses() + " classes");
        }
    }

    /** The name of class {@code index}: its recorded name, else the index itself. */
    public String label(int index) {
        return index < classNames.size() ? classNames.get(index) : Integer.toString(index);
    }

    /** The card as the dict a checkpoint stores (longs, doubles, strings, lists and dicts only). */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("format", FORMAT);
        m.put("arch", model.arch().id());
        m.put("depth", (long) model.depth());
        m.put("n_classes", (long) model.nClasses());
        m.put("zero_init_residual", model.zeroInitResidual());
        m.put("dropout", model.dropout());
        m.put("class_names", new ArrayList<>(classNames));
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("resize", (long) preprocessing.resize());
        t.put("crop", (long) preprocessing.crop());
        t.put("resampler", preprocessing.resampler());
        t.put("interpolation", preprocessing.interpolation());
        t.put("mean", new ArrayList<>(preprocessing.mean()));
        t.put("std", new ArrayList<>(preprocessing.std()));
        t.put("grey_to_rgb", preprocessing.greyToRgb());
        m.put("val_transform", t);
        return m;
    }

    /** The card of a dict written by {@link #toMap} (or its JSON); anything else is one line naming {@code file}. */
    public static ModelCard fromMap(Map<?, ?> m, String file) {
        Fields f = new Fields(m, file, KEY);
        long format = f.whole("format", 1, Long.MAX_VALUE);
        if (format > FORMAT) {
            throw new InterchangeException(file + ": " + KEY + " format " + format + " is newer than this leno reads ("
                    + FORMAT + ")");
        }
        String arch = f.text("arch");
        Arch a = Arch.byId(arch).orElseThrow(() -> new InterchangeException(file + ": " + KEY
                + " names an unknown architecture '" + InterchangeException.printable(arch)
                + "'; valid: resnet, preactresnet, lenoresnet"));
        ModelConfig model;
        try {
            model = new ModelConfig(a, (int) f.whole("depth", 1, 100_000), (int) f.whole("n_classes", 1, 10_000_000),
                    f.flag("zero_init_residual"), f.number("dropout"));
        } catch (IllegalArgumentException e) {
            throw new InterchangeException(file + ": " + KEY + ": " + e.getMessage());
        }
        List<String> names = f.texts("class_names");
        if (names.size() > model.nClasses()) {
            throw new InterchangeException(file + ": " + KEY + " has " + names.size() + " class names for "
                    + model.nClasses() + " classes");
        }
        Fields t = f.dict("val_transform");
        Preprocessing p = new Preprocessing((int) t.whole("resize", 1, 1 << 16), (int) t.whole("crop", 1, 1 << 16),
                t.text("resampler"), t.text("interpolation"), t.numbers("mean", 3), t.numbers("std", 3),
                t.text("grey_to_rgb"));
        return new ModelCard(model, names, p);
    }

    /** Typed access to a card's fields, each failure one line naming the file and the field. */
    private record Fields(Map<?, ?> m, String file, String path) {
        private Object get(String key) {
            if (!m.containsKey(key)) {
                throw bad(key, "is missing");
            }
            return m.get(key);
        }

        private InterchangeException bad(String key, String why) {
            return new InterchangeException(file + ": " + path + "." + key + " " + why);
        }

        long whole(String key, long min, long max) {
            Object v = get(key);
            long n;
            if (v instanceof Long || v instanceof Integer) {
                n = ((Number) v).longValue();
            } else {
                throw bad(key, "is not a whole number");
            }
            if (n < min || n > max) {
                throw bad(key, "is " + n + ", outside " + min + ".." + max);
            }
            return n;
        }

        double number(String key) {
            if (get(key) instanceof Number n && Double.isFinite(n.doubleValue())) {
                return n.doubleValue();
            }
            throw bad(key, "is not a finite number");
        }

        boolean flag(String key) {
            if (get(key) instanceof Boolean b) {
                return b;
            }
            throw bad(key, "is not true or false");
        }

        String text(String key) {
            if (get(key) instanceof String s) {
                return s;
            }
            throw bad(key, "is not a string");
        }

        List<String> texts(String key) {
            if (get(key) instanceof List<?> l && l.stream().allMatch(String.class::isInstance)) {
                return l.stream().map(String.class::cast).toList();
            }
            throw bad(key, "is not a list of strings");
        }

        List<Double> numbers(String key, int size) {
            if (get(key) instanceof List<?> l && l.size() == size && l.stream().allMatch(
                    v -> v instanceof Number n && Double.isFinite(n.doubleValue()))) {
                return l.stream().map(v -> ((Number) v).doubleValue()).toList();
            }
            throw bad(key, "is not a list of " + size + " finite numbers");
        }

        Fields dict(String key) {
            if (get(key) instanceof Map<?, ?> d) {
                return new Fields(d, file, path + "." + key);
            }
            throw bad(key, "is not a dict");
        }
    }
}
