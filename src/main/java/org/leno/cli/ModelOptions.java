package org.leno.cli;

import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import picocli.CommandLine.Option;

/** The model-selecting flags shared by the verbs, spelled as the reference spells them. */
public final class ModelOptions {
    @Option(names = {"-a", "--arch"}, defaultValue = "lenoresnet",
            description = "Model family: resnet, preactresnet or lenoresnet (default: ${DEFAULT-VALUE}).")
    String arch;

    @Option(names = {"--model_depth", "--model-depth"}, defaultValue = "50",
            description = "Depth: 50, 101, 152, 200 (all families); 401, 500 (LeNo only). Default: ${DEFAULT-VALUE}.")
    int depth;

    @Option(names = {"--n_classes", "--n-classes"}, defaultValue = "1000",
            description = "Number of classes of the classifier (default: ${DEFAULT-VALUE}).")
    int nClasses;

    public ModelConfig config() {
        ModelConfig c = ModelConfig.of(ModelRegistry.arch(arch), depth, nClasses);
        ModelRegistry.blocksPerStage(c.arch(), c.depth());
        return c;
    }
}
