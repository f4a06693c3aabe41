package org.leno.internal.report;

import java.util.List;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.Natives;

/**
 * Size and cost of a run's model: parameters, and multiply-accumulates of one image at
 * {@code macsSize} x {@code macsSize} ({@code sizeSource} says where the size came from).
 */
record ModelFacts(ModelConfig model, long params, long macs, int macsSize, String sizeSource, int[] blocksPerStage,
                  List<Integer> transitions) {
    static final int DEFAULT_SIZE = 224;

    /** Builds the model once (this draws its initialisation from libtorch's global generator). */
    static ModelFacts measure(ModelConfig model, int size, String sizeSource) {
        Natives.load();
        try (ResidualNetwork net = ModelRegistry.create(model)) {
            return new ModelFacts(model, net.parameterCount(), net.macs(size), size, sizeSource, net.blocksPerStage(),
                    net.transitionBlocks());
        }
    }
}
