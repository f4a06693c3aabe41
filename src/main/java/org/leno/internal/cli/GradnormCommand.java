package org.leno.internal.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.leno.internal.analysis.GradNormStudy;
import org.leno.internal.model.ModelConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "gradnorm", sortOptions = false,
        modelTransformer = GradnormCommand.ModelFlags.class,
        description = {"Gradient norm ratio ||dL/dx_l|| / ||dL/dy_l|| of every residual block (the paper's figures).",
                "Writes DIR/<arch><depth>.csv, .png and .svg, and DIR/gradnorm.png for several architectures.",
                "With several --weights (or a glob): DIR/<arch><depth>_<label>.csv per checkpoint, "
                        + "DIR/<arch><depth>_evolution.png and .svg, and the index DIR/<arch><depth>_checkpoints.tsv."})
final class GradnormCommand implements Callable<Integer> {
    /** The paper's figures are of 200-layer networks. */
    private static final String DEPTH = "200";

    /** The families (-a) and the other model flags, --model_depth 200 by default. */
    static final class ModelFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec spec) {
            new ModelOptions.Families().transform(spec);
            ModelOptions.withoutArch(DEPTH).addTo(spec);
            return spec;
        }
    }

    @Spec
    CommandSpec spec;

    @Option(names = {"--weights", "--resume"}, paramLabel = "FILE", arity = "1..*", split = ",",
            description = "State dicts or checkpoints to analyse (one architecture only); default: the reference init. "
                    + "Several files (after one flag, repeated, comma-separated or a quoted glob such as "
                    + "'runs/x/checkpoint_epoch*.pth.tar') give one curve per file, labelled by its name, and a figure "
                    + "of them in epoch order.")
    List<String> weights;

    @Option(names = "--ema", description = "Analyse the checkpoints' weight averages (model_ema, from train --model-ema).")
    boolean ema;

    @Option(names = "--data", paramLabel = "ROOT",
            description = "Real images from ROOT/train (or fashion-mnist, or embedded: the quick start's subset) through the "
                    + "training transform; default: N(0,1) inputs, uniform labels.")
    String data;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(GradNormStudy.DEFAULT_BATCH_SIZE);

    @Option(names = {"--image-size", "--image_size"}, defaultValue = "224", description = "Input size S (3 x S x S) (default: ${DEFAULT-VALUE}).")
    int imageSize;

    @Option(names = "--batches", defaultValue = "1", description = "Batches to average (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for init and inputs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", defaultValue = "gradnorm", description = "Output folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--eval-mode", description = "BatchNorm on running statistics instead of batch statistics.")
    boolean evalMode;

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Override
    public Integer call() {
        List<String> weightArgs = weights == null ? List.of() : weights;
        List<String> archs = ModelOptions.Families.archs(spec);
        if (!weightArgs.isEmpty() && archs.size() > 1) {
            throw new IllegalArgumentException("--weights goes with one architecture, got -a " + String.join(",", archs));
        }
        List<Path> files = FileGlobs.expand("--weights", weightArgs);
        List<ModelConfig> configs = ModelOptions.configs(archs, ModelOptions.withoutArch(DEPTH).boundTo(spec));
        GradNormStudy.Settings settings = new GradNormStudy.Settings(configs, files,
                files.size() > 1 || weightArgs.stream().anyMatch(FileGlobs::isGlob), ema, data, imageLimit.maxImagePixels(),
                batch.batchSize, imageSize, batches, seed, evalMode, out);
        threads.apply();
        new GradNormStudy(settings, System.out).run();
        System.out.println("wrote " + out.toAbsolutePath());
        return 0;
    }
}
