package org.leno.cli;

import org.leno.config.Flags;
import org.leno.model.ModelConfig;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The model flags, as ModelConfig declares them, for every verb that builds a model: name such a
 * command's {@code modelTransformer = ModelOptions.class} and read them back with {@link #config}.
 */
public final class ModelOptions implements IModelTransformer {
    @Override
    public CommandSpec transform(CommandSpec spec) {
        Flags.of(ModelConfig.class).addTo(spec);
        return spec;
    }

    /** The parsed model flags of {@code spec}. */
    public static ModelConfig config(CommandSpec spec) {
        return Flags.in(spec, ModelConfig.class).build();
    }
}
