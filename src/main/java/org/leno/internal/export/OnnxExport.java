package org.leno.internal.export;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.leno.internal.interop.AtomicFiles;
import org.leno.internal.export.proto.OnnxProto.ModelProto;
import org.leno.internal.model.EvalGraph;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.StateDict;

/**
 * A residual network as an ONNX model (IR 8, opset 17) that computes its eval-mode forward: input
 * {@value #INPUT}, float32 NCHW, already normalised as the validation transform does, with a
 * dynamic batch dimension; output {@value #OUTPUT}, the logits. Dropout, the identity in eval, has
 * no node. The metadata goes into the model's {@code metadata_props} as given.
 */
public final class OnnxExport {
    public static final String INPUT = "input";
    public static final String OUTPUT = "logits";

    /**
     * @param foldBatchNorm fold each BatchNorm that follows a convolution into that convolution's
     *                      weights and bias (the others stay BatchNormalization nodes)
     * @param inputSize     the input's height and width, or 0 for any size
     */
    public record Options(boolean foldBatchNorm, int inputSize) {
        public Options {
            if (inputSize < 0) {
                throw new IllegalArgumentException("the input size must be positive (or 0 for any size), got " + inputSize);
            }
        }
    }

    private OnnxExport() {
    }

    /** The model of {@code net}'s current weights (its mode, train or eval, does not matter). */
    public static ModelProto model(ResidualNetwork net, Map<String, String> metadata, Options options) {
        ModelConfig config = net.config();
        GraphWeights weights = new GraphWeights(StateDict.toHost(net));
        OnnxGraph graph = new OnnxGraph(config.name());
        long size = options.inputSize();
        graph.input(INPUT, "batch", 3L, size == 0 ? "height" : size, size == 0 ? "width" : size);
        GraphLayers layers = new GraphLayers(graph, weights, options.foldBatchNorm());
        new EvalGraph<>(layers, config.arch(), net.blocksPerStage()).forward(INPUT, OUTPUT);
        graph.output(OUTPUT, "batch", (long) config.nClasses());
        List<String> unused = weights.unused();
        if (!unused.isEmpty()) {
            throw new IllegalStateException("ONNX export of " + config.name() + " left out " + unused.size()
                    + " state-dict entries, the first " + unused.get(0));
        }
        String doc = config.arch().displayName() + "-" + config.depth() + ", " + config.nClasses()
                + " classes, eval mode" + (options.foldBatchNorm() ? ", BatchNorm folded into the convolutions" : "");
        String version = OnnxExport.class.getPackage().getImplementationVersion();
        return graph.model(version == null ? "0.1.0" : version, doc, metadata);
    }

    /**
     * Writes {@link #model} to {@code file} atomically (a temporary file, then a rename), readable
     * by all (a model is written to be served, often by another user).
     */
    public static void write(ResidualNetwork net, Map<String, String> metadata, Options options, Path file) {
        ModelProto model = model(net, metadata, options);
        AtomicFiles.write(file, model::writeTo, "rw-r--r--");
    }
}
