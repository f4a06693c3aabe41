package org.leno.internal.config;

import java.lang.reflect.Array;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import picocli.CommandLine.INegatableOptionTransformer;
import picocli.CommandLine.Model.ArgGroupSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Binds a configuration record (whose components are {@link Flag}s or nested {@link FlagGroup}
 * records) to picocli: one help section per group, one option per flag; after parsing, builds the
 * record from the option values. The same declarations give args.json ({@link #toMap}), the
 * arguments a --config file stands for ({@link #argsFrom}) and the quick start's defaults
 * ({@link #quickStartArgs}). A verb that needs a variant of a group (the model flags without -a, a
 * depth of its own by default) says so with {@link #without} and {@link #withDefault}: the flags stay
 * declared once, in the record.
 */
public final class Flags<T extends Record> {
    private final Class<T> type;
    private final Map<String, OptionSpec> byKey = new LinkedHashMap<>();
    private final Map<String, Flag> flagByKey = new LinkedHashMap<>();
    private final List<ArgGroupSpec> groups = new ArrayList<>();
    private final Map<Class<?>, Function<String, ?>> converters;
    private final Set<String> omitted;
    private final Map<String, String> defaults;

    private Flags(Class<T> type, Map<Class<?>, Function<String, ?>> converters, Set<String> omitted,
                  Map<String, String> defaults) {
        this.type = type;
        this.converters = converters;
        this.omitted = Set.copyOf(omitted);
        this.defaults = Map.copyOf(defaults);
    }

    /** The options of {@code type}, to be added to a command with {@link #addTo}. */
    public static <T extends Record> Flags<T> of(Class<T> type) {
        return of(type, Map.of());
    }

    /** With parsers for value types picocli cannot convert by itself (e.g. enums with aliases). */
    public static <T extends Record> Flags<T> of(Class<T> type, Map<Class<?>, Function<String, ?>> converters) {
        Flags<T> f = new Flags<>(type, converters, Set.of(), Map.of());
        f.collect(type);
        return f;
    }

    /** These flags but the ones of {@code keys} (e.g. "arch"): for a verb that declares them otherwise. Such flags build no record. */
    public Flags<T> without(String... keys) {
        Set<String> out = new HashSet<>(omitted);
        for (String key : keys) {
            requireKey(key);
            out.add(key);
        }
        return rebuilt(out, defaults);
    }

    /** These flags with {@code value} as the default of {@code key} (e.g. a verb's own default depth). */
    public Flags<T> withDefault(String key, String value) {
        requireKey(key);
        Map<String, String> d = new HashMap<>(defaults);
        d.put(key, value);
        return rebuilt(omitted, d);
    }

    private Flags<T> rebuilt(Set<String> omit, Map<String, String> defaultValues) {
        Flags<T> f = new Flags<>(type, converters, omit, defaultValues);
        f.collect(type);
        return f;
    }

    private void requireKey(String key) {
        if (!flagByKey.containsKey(key) && !omitted.contains(key)) {
            throw new IllegalArgumentException(type.getSimpleName() + " has no flag " + key);
        }
    }

    private void collect(Class<?> record) {
        FlagGroup group = record.getAnnotation(FlagGroup.class);
        ArgGroupSpec.Builder builder = group == null ? null
                : ArgGroupSpec.builder().heading("%n" + group.heading() + ":%n").exclusive(false).validate(false);
        for (RecordComponent c : record.getRecordComponents()) {
            Flag flag = c.getAnnotation(Flag.class);
            if (flag != null && omitted.contains(key(flag))) {
                continue;
            }
            if (flag != null) {
                OptionSpec option = option(c, flag);
                byKey.put(key(flag), option);
                flagByKey.put(key(flag), flag);
                if (builder == null) {
                    throw new IllegalStateException(record.getSimpleName() + " has flags but no @FlagGroup");
                }
                builder.addArg(option);
            } else if (c.getType().isRecord()) {
                collect(c.getType());
            } else {
                throw new IllegalStateException(record.getSimpleName() + "." + c.getName()
                        + " is neither a @Flag nor a configuration record");
            }
        }
        if (builder != null && !builder.args().isEmpty()) {
            groups.add(builder.build());
        }
    }

    private OptionSpec option(RecordComponent c, Flag flag) {
        Class<?> t = c.getType();
        boolean bool = t == boolean.class || t == Boolean.class;
        OptionSpec.Builder b = OptionSpec.builder(flag.names()).type(t)
                .description(describe(flag, t))
                .hidden(flag.hidden())
                .negatable(bool);
        if (t.isArray()) {
            b.auxiliaryTypes(t.getComponentType()).splitRegex(",");
        }
        if (!flag.arity().isEmpty()) {
            b.arity(flag.arity());
        }
        if (!bool) {
            b.paramLabel(flag.paramLabel().isEmpty() ? label(t) : flag.paramLabel());
        }
        if (t.isArray()) {
            b.hideParamSyntax(true); // "--lr_steps=N..." rather than picocli's "[,N...]" decorations
        }
        Function<String, ?> converter = converters.get(t.isArray() ? t.getComponentType() : t);
        if (converter != null) {
            b.converters(converter::apply);
        }
        if (flag.value().equals(Flag.NONE) && t.isPrimitive()) {
            throw new IllegalStateException("flag " + flag.names()[0] + " of primitive type needs a default");
        }
        return b.build();
    }

    /** The help's name for a value of type {@code t}. */
    private static String label(Class<?> t) {
        if (t.isArray()) {
            return label(t.getComponentType()) + "...";
        }
        if (t == int.class || t == Integer.class || t == long.class || t == Long.class) {
            return "N";
        }
        if (t == double.class || t == Double.class) {
            return "X";
        }
        if (t == Path.class) {
            return "PATH";
        }
        return t.isEnum() ? "NAME" : t == boolean.class || t == Boolean.class ? "" : "TEXT";
    }

    private String describe(Flag flag, Class<?> type) {
        String text = flag.description().replace(Choice.PLACEHOLDER, choices(type));
        String value = defaultOf(flag);
        boolean hasDefault = !value.equals(Flag.NONE);
        boolean hasQuick = !flag.quickStart().equals(Flag.NONE);
        if (hasDefault && hasQuick) {
            return text + " (default: " + value.replace(',', ' ') + "; quick start: "
                    + flag.quickStart().replace(',', ' ') + ")";
        }
        if (hasDefault && !value.isEmpty() && !value.equals("false")) {
            return text + " (default: " + value.replace(',', ' ') + ")";
        }
        return hasQuick ? text + " (quick start: " + flag.quickStart().replace(',', ' ') + ")" : text;
    }

    /** The flag's default: its record's, unless {@link #withDefault} replaced it. */
    private String defaultOf(Flag flag) {
        return defaults.getOrDefault(key(flag), flag.value());
    }

    /** The entries of an enum flag's table, for its help: "a, b or c". */
    private static String choices(Class<?> type) {
        Object[] values = type.isEnum() ? type.getEnumConstants() : new Object[0];
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            b.append(i == 0 ? "" : i == values.length - 1 ? " or " : ", ");
            b.append(values[i] instanceof Choice c ? c.help() : values[i].toString());
        }
        return b.toString();
    }

    /** The key of a flag in args.json and config files: its first long name, dashes as underscores. */
    public static String key(Flag flag) {
        for (String n : flag.names()) {
            if (n.startsWith("--")) {
                return n.substring(2).replace('-', '_');
            }
        }
        throw new IllegalStateException("flag " + String.join("/", flag.names()) + " has no long name");
    }

    public void addTo(CommandSpec spec) {
        groups.forEach(spec::addArgGroup);
        INegatableOptionTransformer negatable = spec.negatableOptionTransformer();
        spec.negatableOptionTransformer(new INegatableOptionTransformer() {
            @Override
            public String makeNegative(String optionName, CommandSpec cmd) {
                return negatable.makeNegative(optionName, cmd);
            }

            // --[no-]x only for flags that are on by default; --x for the others (--no-x is accepted too)
            @Override
            public String makeSynopsis(String optionName, CommandSpec cmd) {
                Flag flag = flagByName(optionName);
                return flag == null || flag.value().equals("true") ? negatable.makeSynopsis(optionName, cmd) : optionName;
            }
        });
    }

    private Flag flagByName(String name) {
        for (Map.Entry<String, OptionSpec> e : byKey.entrySet()) {
            if (Arrays.asList(e.getValue().names()).contains(name)) {
                return flagByKey.get(e.getKey());
            }
        }
        return null;
    }

    /**
     * The flags of {@code type} as already added to {@code spec} (by a picocli model transformer
     * calling {@link #addTo}), to build the record after parsing.
     */
    public static <T extends Record> Flags<T> in(CommandSpec spec, Class<T> type, Map<Class<?>, Function<String, ?>> converters) {
        return of(type, converters).boundTo(spec);
    }

    /** These flags as already added to {@code spec} (by {@link #addTo}, after the same {@link #without} and {@link #withDefault}). */
    public Flags<T> boundTo(CommandSpec spec) {
        Flags<T> f = rebuilt(omitted, defaults);
        f.byKey.replaceAll((key, option) -> {
            OptionSpec bound = spec.findOption(option.longestName());
            if (bound == null) {
                throw new IllegalStateException("command " + spec.name() + " has no option " + option.longestName());
            }
            return bound;
        });
        return f;
    }

    public static <T extends Record> Flags<T> in(CommandSpec spec, Class<T> type) {
        return in(spec, type, Map.of());
    }

    /** The option of a key, e.g. "lr_steps". */
    public Optional<OptionSpec> option(String key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** The parsed value of a key (the default when it was not given). */
    @SuppressWarnings("unchecked")
    public <V> V value(String key) {
        Flag flag = flagByKey.get(key);
        if (flag == null) {
            throw new IllegalArgumentException("no flag " + key);
        }
        return (V) valueOf(flag, byKey.get(key).type());
    }

    /**
     * The given value, else the default. (picocli leaves the options of a group that is not matched
     * on the command line null, whatever their default, so defaults are applied here.)
     */
    private Object valueOf(Flag flag, Class<?> type) {
        OptionSpec option = byKey.get(key(flag));
        Object v = option.getValue();
        String value = defaultOf(flag);
        if (v != null || value.equals(Flag.NONE)) {
            return v;
        }
        return TextValues.parse(type, value, converters.get(type.isArray() ? type.getComponentType() : type));
    }

    /** Builds the record from the parsed values; the records' own checks give one-line errors. */
    public T build() {
        return build(Map.of());
    }

    /** Builds the record, {@code given} holding the values of the flags left out by {@link #without}, by key. */
    public T build(Map<String, ?> given) {
        return type.cast(build(type, given));
    }

    private Object build(Class<?> record, Map<String, ?> given) {
        RecordComponent[] cs = record.getRecordComponents();
        Object[] values = new Object[cs.length];
        Class<?>[] types = new Class<?>[cs.length];
        for (int i = 0; i < cs.length; i++) {
            types[i] = cs[i].getType();
            Flag flag = cs[i].getAnnotation(Flag.class);
            if (flag != null && omitted.contains(key(flag))) {
                if (!given.containsKey(key(flag))) {
                    throw new IllegalStateException(record.getSimpleName() + " cannot be built without its flag " + key(flag));
                }
                values[i] = given.get(key(flag));
            } else {
                values[i] = flag != null ? valueOf(flag, cs[i].getType()) : build(cs[i].getType(), given);
            }
        }
        try {
            Constructor<?> constructor = record.getDeclaredConstructor(types);
            constructor.setAccessible(true);
            return constructor.newInstance(values);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + record.getSimpleName(), e);
        }
    }

    /** Every recorded flag of {@code config} as key -> JSON value, in declaration order. */
    public Map<String, Object> toMap(T config) {
        Map<String, Object> out = new LinkedHashMap<>();
        toMap(config, out);
        return out;
    }

    private static void toMap(Record r, Map<String, Object> out) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v;
            try {
                c.getAccessor().setAccessible(true);
                v = c.getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            Flag flag = c.getAnnotation(Flag.class);
            if (flag == null) {
                toMap((Record) v, out);
            } else if (flag.recorded()) {
                out.put(key(flag), json(v));
            }
        }
    }

    private static Object json(Object v) {
        if (v == null || v instanceof Number || v instanceof Boolean || v instanceof String) {
            return v;
        }
        if (v instanceof Enum<?> e) {
            return e.toString().toLowerCase(Locale.ROOT);
        }
        if (v instanceof Path p) {
            return p.toString();
        }
        if (v.getClass().isArray()) {
            List<Object> list = new ArrayList<>();
            for (int i = 0; i < Array.getLength(v); i++) {
                list.add(json(Array.get(v, i)));
            }
            return list;
        }
        return v.toString();
    }

    /**
     * The command-line arguments that a config file's values stand for (JSON/YAML keys as in
     * args.json). An unknown key is an error naming it; null and "" (argparse's empty default) mean
     * "not set".
     */
    public List<String> argsFrom(Map<String, ?> values, String source) {
        List<String> args = new ArrayList<>();
        for (Map.Entry<String, ?> e : values.entrySet()) {
            OptionSpec option = byKey.get(e.getKey());
            if (option == null || !flagByKey.get(e.getKey()).recorded()) {
                throw new IllegalArgumentException(source + ": unknown key '" + e.getKey() + "'");
            }
            Object v = e.getValue();
            if (v == null || (v instanceof String s && s.isEmpty() && option.type() != String.class)) {
                continue;
            }
            String name = option.longestName();
            if (v instanceof Boolean b) {
                args.add(b ? name : negated(name));
            } else if (v instanceof List<?> list) {
                if (list.isEmpty()) {
                    continue;
                }
                args.add(name);
                list.forEach(x -> args.add(String.valueOf(x)));
            } else {
                args.add(name + "=" + v);
            }
        }
        return args;
    }

    /**
     * The arguments of several parses (layers: defaults, a config file, the command line) merged so
     * that an option's last layer wins as a whole: picocli itself appends the values of a
     * multi-value option given twice (--lr_steps 6 9, then --lr_steps 1, would give 6 9 1).
     */
    public static List<String> lastLayerWins(List<ParseResult> layers) {
        Map<String, List<String>> byOption = new LinkedHashMap<>();
        for (ParseResult layer : layers) {
            for (OptionSpec o : layer.matchedOptions()) {
                byOption.remove(o.longestName()); // keeps the order in which the options were last given
                byOption.put(o.longestName(), tokens(o));
            }
        }
        List<String> args = new ArrayList<>();
        byOption.values().forEach(args::addAll);
        return args;
    }

    /** The option with the values a parse gave it, as separate arguments. */
    private static List<String> tokens(OptionSpec o) {
        Class<?> type = o.type();
        if (type == boolean.class || type == Boolean.class) {
            return List.of(Boolean.TRUE.equals(o.getValue()) ? o.longestName() : negated(o.longestName()));
        }
        List<String> tokens = new ArrayList<>();
        tokens.add(o.longestName());
        List<String> values = o.stringValues();
        // a single-value option given twice in one layer keeps its last value, as argparse does
        int keep = o.isMultiValue() ? Math.min(values.size(), o.arity().max()) : 1;
        tokens.addAll(values.subList(values.size() - keep, values.size()));
        return tokens;
    }

    /** picocli's negative form of a boolean flag: --no-x for --x, --x for --no-x. */
    private static String negated(String name) {
        return name.startsWith("--no-") ? "--" + name.substring(5) : "--no-" + name.substring(2);
    }

    /** The quick start's defaults as arguments (to be placed before everything the user gave). */
    public List<String> quickStartArgs() {
        List<String> args = new ArrayList<>();
        flagByKey.forEach((key, flag) -> {
            if (!flag.quickStart().equals(Flag.NONE)) {
                OptionSpec o = byKey.get(key);
                if (o.type() == boolean.class || o.type() == Boolean.class) {
                    args.add(Boolean.parseBoolean(flag.quickStart()) ? o.longestName() : negated(o.longestName()));
                } else if (o.type().isArray()) {
                    args.add(o.longestName()); // separate values: picocli counts "a,b" as one towards an arity of 2
                    args.addAll(List.of(flag.quickStart().split(",")));
                } else {
                    args.add(o.longestName() + "=" + flag.quickStart());
                }
            }
        });
        return args;
    }
}
