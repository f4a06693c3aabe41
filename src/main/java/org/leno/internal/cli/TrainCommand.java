package org.leno.internal.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.leno.internal.train.TrainConfigResolver;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "train", sortOptions = false, abbreviateSynopsis = true,
        modelTransformer = TrainCommand.TrainFlags.class,
        description = {"Train (or with -e evaluate) a model: the reference's ImageNet training program, fixed.",
                "Without --data: LeNo-ResNet-50 on the embedded Fashion-MNIST subset, with the quick start's defaults.",
                "With --data DIR (DIR/train/<class>/..., DIR/val/<class>/...) or --data fashion-mnist: the reference's defaults.",
                "Precedence: flags given here, then --config FILE, then the defaults."})
final class TrainCommand implements Callable<Integer> {
    @Option(names = TrainConfigResolver.CONFIG_FLAG, paramLabel = "FILE", order = -1,
            description = "Flag values from a JSON or YAML file, keyed as args.json (an earlier run's args.json works).")
    Path config;

    @Spec
    CommandSpec spec;

    /** Adds the flags that the configuration records declare, one help section per record. */
    static final class TrainFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec commandSpec) {
            TrainConfigResolver.flags().addTo(commandSpec);
            return commandSpec;
        }
    }

    @Override
    public Integer call() throws InterruptedException {
        List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
        RawArguments raw = RawArguments.of(args.toArray(String[]::new));
        if (!args.isEmpty() && args.get(0).equals(spec.name())) {
            args.remove(0);
        }
        return TrainRun.run(new TrainConfigResolver(raw::toPath).resolve(args), args);
    }
}
