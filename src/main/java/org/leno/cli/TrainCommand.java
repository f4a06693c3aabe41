package org.leno.cli;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.leno.config.ConfigFile;
import org.leno.config.Flags;
import org.leno.data.datasets.Datasets;
import org.leno.distributed.DistConfig;
import org.leno.train.LrSchedulerKind;
import org.leno.train.TrainConfig;
import org.leno.train.Trainer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;
import sun.misc.Signal;
import sun.misc.SignalHandler;

@Command(mixinStandardHelpOptions = true, name = "train", sortOptions = false, abbreviateSynopsis = true,
        modelTransformer = TrainCommand.TrainFlags.class,
        description = {"Train (or with -e evaluate) a model: the reference's ImageNet training program, fixed.",
                "Without --data: LeNo-ResNet-50 on the embedded Fashion-MNIST subset, with the quick start's defaults.",
                "With --data DIR (DIR/train/<class>/..., DIR/val/<class>/...) or --data fashion-mnist: the reference's defaults.",
                "Precedence: flags given here, then --config FILE, then the defaults."})
final class TrainCommand implements Callable<Integer> {
    static final Map<Class<?>, ITypeConverter<?>> CONVERTERS = Map.of(LrSchedulerKind.class, new LrSchedulerKind.Converter());
    /** args.json keys that the reference's main.py derives from other flags before writing the file. */
    private static final Set<String> REFERENCE_DERIVED_KEYS = Set.of("distributed");

    @Option(names = "--config", paramLabel = "FILE", order = -1,
            description = "Flag values from a JSON or YAML file, keyed as args.json (an earlier run's args.json works).")
    Path config;

    @Spec
    CommandSpec spec;

    /** Adds the flags that the configuration records declare, one help section per record. */
    static final class TrainFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec commandSpec) {
            Flags.of(TrainConfig.class, CONVERTERS).addTo(commandSpec);
            return commandSpec;
        }
    }

    @Override
    public Integer call() throws Exception {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        String[] fullArgs = args.toArray(String[]::new);
        if (!args.isEmpty() && args.get(0).equals(spec.name())) {
            args.remove(0);
        }
        Resolved resolved = resolve(args, RawArguments.of(fullArgs)::toPath);
        TrainConfig cfg = resolved.config();
        if (cfg.distributed().multiprocessingDistributed() && !cfg.distributed().spawnedWorker()) {
            return new WorkerLauncher(cfg, fullArgs).run();
        }
        if (cfg.referenceOnly().groups() != null) {
            System.out.println("note: --groups " + cfg.referenceOnly().groups() + " is parsed and unused, as in the reference");
        }
        DistConfig dist = cfg.distributed().resolve(System.getenv());
        Trainer trainer = new Trainer(cfg, dist, resolved.args(), System.out);
        SignalHandler previousInt = handle("INT", trainer);
        SignalHandler previousTerm = handle("TERM", trainer);
        try {
            return trainer.run();
        } catch (Trainer.Stopped s) {
            System.err.println("leno train: " + s.getMessage());
            return s.exitCode();
        } finally {
            restore("INT", previousInt);
            restore("TERM", previousTerm);
        }
    }

    /** A resolved configuration and the args.json it is written as. */
    record Resolved(TrainConfig config, Map<String, Object> args) {}

    /**
     * The configuration of {@code args} (the flags after the verb), in layers, later ones winning:
     * the quick start's defaults (without --data), --data fashion-mnist's 10 classes, the --config
     * file, a random seed when none is given, and the command line.
     */
    static Resolved resolve(List<String> args, ITypeConverter<Path> paths) {
        TrainCommand given = parse(args, paths);
        List<String> fileArgs = given.config == null ? List.of() : fileArgs(given);
        TrainCommand merged = parseFile(concat(fileArgs, args), paths, given.config);
        List<List<String>> layers = new ArrayList<>();
        String data = merged.flags().value("data");
        boolean dummy = merged.flags().value("dummy");
        if (data == null && !dummy) {
            layers.add(merged.flags().quickStartArgs());
        } else if (Datasets.FASHION_MNIST.equals(data)) {
            layers.add(List.of("--n_classes=10"));
        }
        layers.add(fileArgs);
        if (merged.flags().value("seed") == null) {
            layers.add(List.of("--seed=" + (new SecureRandom().nextLong() >>> 16)));
        }
        layers.add(args);
        List<ParseResult> parsed = new ArrayList<>();
        for (List<String> layer : layers) {
            parsed.add(parseFile(layer, paths, layer == fileArgs ? given.config : null).spec.commandLine().getParseResult());
        }
        Flags<TrainConfig> flags = parseFile(Flags.lastLayerWins(parsed), paths, given.config).flags();
        TrainConfig cfg = flags.build();
        return new Resolved(cfg, flags.toMap(cfg));
    }

    /** The training configuration of {@code args}, as `leno train` would resolve it (for embedding and tests). */
    static TrainConfig config(String... args) {
        return resolve(List.of(args), Path::of).config();
    }

    /** The arguments a --config file stands for; keys the reference derives rather than parses are skipped. */
    private static List<String> fileArgs(TrainCommand given) {
        Map<String, Object> values = new LinkedHashMap<>(ConfigFile.read(given.config));
        REFERENCE_DERIVED_KEYS.forEach(values::remove);
        return given.flags().argsFrom(values, given.config.toString());
    }

    private static TrainCommand parseFile(List<String> args, ITypeConverter<Path> paths, Path file) {
        try {
            return parse(args, paths);
        } catch (ParameterException e) {
            throw new IllegalArgumentException((file == null ? "" : file + ": ") + e.getMessage());
        }
    }

    private Flags<TrainConfig> flags() {
        return Flags.in(spec, TrainConfig.class, CONVERTERS);
    }

    private static TrainCommand parse(List<String> args, ITypeConverter<Path> paths) {
        TrainCommand command = new TrainCommand();
        CommandLine cli = new CommandLine(command);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setOverwrittenOptionsAllowed(true);
        cli.registerConverter(Path.class, paths);
        cli.parseArgs(args.toArray(String[]::new));
        return command;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }

    private static void restore(String signal, SignalHandler previous) {
        if (previous != null) {
            Signal.handle(new Signal(signal), previous);
        }
    }

    private static SignalHandler handle(String signal, Trainer trainer) {
        try {
            return Signal.handle(new Signal(signal), s -> {
                System.err.println("leno train: SIG" + signal + " received; finishing the current step...");
                trainer.requestStop("SIG" + signal);
            });
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
