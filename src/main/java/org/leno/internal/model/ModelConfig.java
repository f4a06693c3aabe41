package org.leno.internal.model;

import org.leno.internal.config.Flag;
import org.leno.internal.config.FlagGroup;

/**
 * What identifies a model: family, depth, classes, whether residual branches start at zero, and the
 * dropout probability before the classifier (0 = none).
 */
@FlagGroup(heading = "Model")
public record ModelConfig(
        @Flag(names = {"-a", "--arch"}, value = "lenoresnet", description = "Model family: {choices}.")
        Arch arch,
        @Flag(names = {"--model_depth", "--model-depth"}, value = "50",
                description = "Depth: 50, 101, 152, 200 (all families); 401, 500 (LeNo only).")
        int depth,
        @Flag(names = {"--n_classes", "--n-classes"}, value = "1000", quickStart = "10",
                description = "Classes of the classifier (10 with --data fashion-mnist).")
        int nClasses,
        @Flag(names = {"--zero_init_residual", "--zero-init-residual"}, value = "false",
                description = "Start each residual branch at zero.")
        boolean zeroInitResidual,
        @Flag(names = "--dropout", value = "0", description = "Dropout probability before the classifier.")
        double dropout) {

    public ModelConfig {
        if (nClasses < 1) {
            throw new IllegalArgumentException("--n_classes must be at least 1, got " + nClasses);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
        }
        ModelRegistry.blocksPerStage(arch, depth);
    }

    public static ModelConfig of(Arch arch, int depth, int nClasses) {
        return new ModelConfig(arch, depth, nClasses, false, 0);
    }

    public String name() { return arch.id() + depth; }
}
