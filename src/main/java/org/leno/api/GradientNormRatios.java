package org.leno.api;

import java.nio.file.Path;
import java.util.List;
import org.leno.internal.analysis.GradNormAnalysis;
import org.leno.internal.analysis.GradNormResult;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.Natives;
import org.leno.internal.predict.InferenceSetup;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.predict.Overrides;

/**
 * The gradient-norm ratio {@code ||dL/dx_l|| / ||dL/dy_l||} of every residual block (input over
 * output gradient norm, L the mean cross-entropy of a batch), as {@code leno gradnorm} computes
 * it: N(0,1) images and uniform labels, BatchNorm on batch statistics, averaged over batches.
 * Immutable.
 */
public final class GradientNormRatios {
    /**
     * How the ratios are measured.
     *
     * @param imageSize the side S of the 3 x S x S random inputs, at least 1
     * @param batchSize images per batch, at least 1
     * @param batches batches averaged, at least 1
     * @param seed the seed of the initialisation (at initialisation) and, plus one, of the inputs
     */
    public record Settings(int imageSize, int batchSize, int batches, long seed) {
        /**
         * Checks the values.
         *
         * @param imageSize the side S of the 3 x S x S random inputs, at least 1
         * @param batchSize images per batch, at least 1
         * @param batches batches averaged, at least 1
         * @param seed the seed of the initialisation and, plus one, of the inputs
         * @throws LenoException if a size or count is below 1
         */
        public Settings {
            if (imageSize < 1 || batchSize < 1 || batches < 1) {
                throw new LenoException("imageSize, batchSize and batches must be at least 1, got " + imageSize + ", "
                        + batchSize + ", " + batches);
            }
        }

        /**
         * {@code leno gradnorm}'s defaults: 224 x 224 inputs, batches of 8, one batch, seed 0.
         *
         * @return the default settings
         */
        public static Settings defaults() {
            return new Settings(224, 8, 1, 0);
        }
    }

    private final GradNormResult result;

    private GradientNormRatios(GradNormResult result) {
        this.result = result;
    }

    /**
     * The ratios of a freshly initialised model (the reference initialisation, seeded).
     *
     * @param arch {@code resnet}, {@code preactresnet} or {@code lenoresnet}
     * @param depth 50, 101, 152, 200 (all families); 401, 500 (LeNo-ResNet only)
     * @param nClasses classes of the classifier, at least 1
     * @param settings inputs, batches and seed
     * @return the ratios
     * @throws LenoException for an unknown architecture or depth
     */
    public static GradientNormRatios atInitialization(String arch, int depth, int nClasses, Settings settings) {
        return Errors.guard(() -> {
            ModelConfig config = ModelConfig.of(ModelRegistry.arch(arch), depth, nClasses);
            Natives.seed(settings.seed());
            try (ResidualNetwork net = ModelRegistry.create(config)) {
                return measure(net, settings);
            }
        });
    }

    /**
     * The ratios of a trained model: a run folder, a checkpoint or a safetensors file with a model card.
     *
     * @param model the weights, as {@link Classifier#load(Path)} takes them
     * @param settings inputs, batches and seed
     * @return the ratios
     * @throws LenoException if the file cannot be read or does not fit its model
     */
    public static GradientNormRatios ofModel(Path model, Settings settings) {
        return Errors.guard(() -> {
            ModelFile file = ModelFile.read(model, false);
            ModelConfig config = InferenceSetup.of(file, Overrides.none()).model();
            try (ResidualNetwork net = ModelRegistry.create(config)) {
                ModelWeights.load(net, file.loaded());
                return measure(net, settings);
            }
        });
    }

    private static GradientNormRatios measure(ResidualNetwork net, Settings s) {
        Natives.seed(s.seed() + 1);
        return new GradientNormRatios(GradNormAnalysis.run(net, GradNormAnalysis.randomInputs(s.batchSize(), s.imageSize(),
                net.config().nClasses()), s.batches(), false));
    }

    /**
     * The model measured, as {@code <arch><depth>} (for instance {@code lenoresnet50}).
     *
     * @return the model's name
     */
    public String model() {
        return result.model().name();
    }

    /**
     * The number of residual blocks.
     *
     * @return the block count
     */
    public int blocks() {
        return result.blocks();
    }

    /**
     * The ratio of each block, in network order (block 1 first).
     *
     * @return a new array of {@link #blocks()} ratios
     */
    public double[] ratios() {
        return result.ratios();
    }

    /**
     * The mean norm of the gradient at each block's input, {@code ||dL/dx_l||}.
     *
     * @return a new array of {@link #blocks()} norms
     */
    public double[] inputGradientNorms() {
        return result.inNorm().clone();
    }

    /**
     * The mean norm of the gradient at each block's output, {@code ||dL/dy_l||}.
     *
     * @return a new array of {@link #blocks()} norms
     */
    public double[] outputGradientNorms() {
        return result.outNorm().clone();
    }

    /**
     * The 1-based numbers of the blocks that change resolution or width (first block of each stage).
     *
     * @return the transition blocks, ascending
     */
    public List<Integer> transitionBlocks() {
        return List.copyOf(result.transitions());
    }

    /**
     * {@code leno gradnorm}'s text summary: the ratio at each transition block, then the others' median and range.
     *
     * @return a few lines of text
     */
    @Override
    public String toString() {
        return result.summary();
    }
}
