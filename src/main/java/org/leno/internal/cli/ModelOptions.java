package org.leno.internal.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.leno.internal.config.Flags;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The model flags, as ModelConfig declares them, for every verb that builds a model: name such a
 * command's {@code modelTransformer = ModelOptions.class} and read them back with {@link #config}.
 * Verbs over several families ({@code compare}, {@code gradnorm}) take -a/--arch as a list instead,
 * under the same names: {@link Families}.
 */
public final class ModelOptions implements IModelTransformer {
    private static final String ARCH = "arch";

    @Override
    public CommandSpec transform(CommandSpec spec) {
        Flags.of(ModelConfig.class).addTo(spec);
        return spec;
    }

    /** The parsed model flags of {@code spec}. */
    public static ModelConfig config(CommandSpec spec) {
        return Flags.in(spec, ModelConfig.class).build();
    }

    /** -a/--arch as a comma-separated list of families, every registered family by default. */
    public static final class Families implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            OptionSpec one = Flags.of(ModelConfig.class).option(ARCH).orElseThrow();
            spec.addOption(OptionSpec.builder(one.names()).type(List.class).auxiliaryTypes(String.class).splitRegex(",")
                    .paramLabel("ARCH").defaultValue(String.join(",", Arch.ids()))
                    .description("Model families, comma-separated: " + String.join(", ", Arch.ids())
                            + " (default: all of them).")
                    .build());
            return spec;
        }

        /** The families given, stripped, in order. */
        public static List<String> archs(CommandSpec spec) {
            List<String> given = spec.findOption(Flags.of(ModelConfig.class).option(ARCH).orElseThrow().longestName())
                    .getValue();
            List<String> out = new ArrayList<>();
            given.forEach(a -> out.add(a.strip()));
            return out;
        }
    }

    /** The model flags but -a/--arch (for a verb with {@link Families}), {@code depth} the default of --model_depth. */
    static Flags<ModelConfig> withoutArch(String depth) {
        return Flags.of(ModelConfig.class).without(ARCH).withDefault("model_depth", depth);
    }

    /** The model of each family, the other model flags as parsed ({@code flags} bound to the command). */
    static List<ModelConfig> configs(List<String> archs, Flags<ModelConfig> flags) {
        return archs.stream().map(a -> flags.build(Map.of(ARCH, ModelRegistry.arch(a)))).toList();
    }
}
