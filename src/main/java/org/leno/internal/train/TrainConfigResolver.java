package org.leno.internal.train;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.leno.internal.config.ConfigFile;
import org.leno.internal.config.Flags;
import org.leno.internal.data.datasets.Datasets;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;

/**
 * The one place where a training configuration is put together from its sources, in layers, later
 * ones winning: the defaults (the quick start's without --data, the reference's with it; --data
 * fashion-mnist's 10 classes), a config file (an earlier run's args.json, or YAML keyed the same),
 * a random seed when none is given, and the overrides (flags as {@code leno train} takes them).
 * {@code leno train}, {@code leno compare} and the library's {@code Training} all resolve through it,
 * so the same flags give the same run and the same args.json wherever they come from.
 */
public final class TrainConfigResolver {
    /** The flag that names a config file among the overrides. */
    public static final String CONFIG_FLAG = "--config";
    /** Value types that picocli cannot convert by itself: enums with aliases. */
    private static final Map<Class<?>, Function<String, ?>> PARSERS = Map.of(LrSchedulerKind.class, LrSchedulerKind::parse);
    /** args.json keys that the reference's main.py derives from other flags before writing the file. */
    private static final Set<String> REFERENCE_DERIVED_KEYS = Set.of("distributed");

    private final Function<String, Path> paths;

    /** A configuration and the args.json it is written as. */
    public record Resolved(TrainConfig config, Map<String, Object> args) {}

    /** {@code paths}: how a flag's text becomes a file name (the command line recovers names that are not UTF-8). */
    public TrainConfigResolver(Function<String, Path> paths) {
        this.paths = paths;
    }

    /** File names as {@link Path#of}. */
    public TrainConfigResolver() {
        this(Path::of);
    }

    /** The training flags, declared by the configuration records, with the parsers of their value types. */
    public static Flags<TrainConfig> flags() {
        return Flags.of(TrainConfig.class, PARSERS);
    }

    /** What args.json records of {@code config}. */
    public static Map<String, Object> args(TrainConfig config) {
        return flags().toMap(config);
    }

    /** The configuration of {@code leno train}'s flags (for tests and embedding). */
    public static TrainConfig parse(String... flags) {
        return new TrainConfigResolver().resolve(List.of(flags)).config();
    }

    /** The configuration of a config file (or none) with flags over it. */
    public Resolved resolve(Path configFile, List<String> overrides) {
        List<String> all = new ArrayList<>();
        if (configFile != null) {
            all.add(CONFIG_FLAG + "=" + configFile);
        }
        all.addAll(overrides);
        return resolve(all);
    }

    /**
     * The configuration of {@code args}, the flags that would follow {@code leno train} (among them
     * perhaps {@code --config FILE}); a bad flag or value is an {@link IllegalArgumentException}
     * naming it (and the file, for a value from the file).
     */
    public Resolved resolve(List<String> args) {
        Parsed given = parse(args, null);
        Path file = given.configFile();
        List<String> fileArgs = file == null ? List.of() : fileArgs(given.flags(), file);
        Parsed merged = parse(concat(fileArgs, args), file);
        List<List<String>> layers = new ArrayList<>();
        layers.add(defaults(merged.flags()));
        layers.add(fileArgs);
        if (merged.flags().value("seed") == null) {
            layers.add(List.of("--seed=" + (new SecureRandom().nextLong() >>> 16)));
        }
        layers.add(args);
        List<ParseResult> parsed = new ArrayList<>();
        for (List<String> layer : layers) {
            parsed.add(parse(layer, layer == fileArgs ? file : null).result());
        }
        Flags<TrainConfig> flags = parse(Flags.lastLayerWins(parsed), file).flags();
        TrainConfig cfg = flags.build();
        return new Resolved(cfg, flags.toMap(cfg));
    }

    /** The quick start's defaults without --data or --dummy; --data fashion-mnist's class count. */
    private static List<String> defaults(Flags<TrainConfig> merged) {
        String data = merged.value("data");
        boolean dummy = merged.value("dummy");
        if (data == null && !dummy) {
            return merged.quickStartArgs();
        }
        return Datasets.FASHION_MNIST.equals(data) ? List.of("--n_classes=10") : List.of();
    }

    /** The arguments a config file stands for; keys the reference derives rather than parses are skipped. */
    private static List<String> fileArgs(Flags<TrainConfig> flags, Path file) {
        Map<String, Object> values = new LinkedHashMap<>(ConfigFile.read(file));
        REFERENCE_DERIVED_KEYS.forEach(values::remove);
        return flags.argsFrom(values, file.toString());
    }

    /** One parse of a layer: the flags bound to a fresh command, the --config file named, picocli's result. */
    private record Parsed(Flags<TrainConfig> flags, Path configFile, ParseResult result) {}

    private Parsed parse(List<String> args, Path file) {
        CommandSpec spec = CommandSpec.create();
        spec.addOption(OptionSpec.builder(CONFIG_FLAG).type(Path.class).paramLabel("FILE").build());
        flags().addTo(spec);
        CommandLine cli = new CommandLine(spec);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOverwrittenOptionsAllowed(true);
        cli.registerConverter(Path.class, paths::apply);
        try {
            cli.parseArgs(args.toArray(String[]::new));
        } catch (ParameterException e) {
            throw new IllegalArgumentException((file == null ? "" : file + ": ") + e.getMessage());
        }
        Path configFile = spec.findOption(CONFIG_FLAG).getValue();
        return new Parsed(Flags.in(spec, TrainConfig.class, PARSERS), configFile, cli.getParseResult());
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
