package org.leno.internal.export;

import java.util.List;
import org.leno.internal.model.EvalOps;

/**
 * The inference-mode layers of the residual networks as ONNX nodes, their weights taken by
 * state-dict key: convolution (with the BatchNorm after it folded in, or as a node of its own),
 * BatchNorm, ReLU, addition, max-pooling and the pooled linear head. Values are named after the
 * module that computes them, so the graph reads like the state dict.
 */
final class GraphLayers implements EvalOps<String> {
    private final OnnxGraph graph;
    private final GraphWeights weights;
    private final boolean foldBatchNorm;

    GraphLayers(OnnxGraph graph, GraphWeights weights, boolean foldBatchNorm) {
        this.graph = graph;
        this.weights = weights;
        this.foldBatchNorm = foldBatchNorm;
    }

    @Override
    public boolean has(String key) {
        return weights.has(key);
    }

    /** Conv2d {@code conv} (square kernel, bias if the state dict has one), then BatchNorm {@code bn} unless null. */
    @Override
    public String conv(String x, String conv, String bn, long stride, long pad) {
        long[] shape = weights.shape(conv + ".weight");
        if (bn != null && foldBatchNorm) {
            String name = conv + "+" + bn.substring(bn.lastIndexOf('.') + 1);
            float[][] folded = fold(conv, bn, shape);
            String w = graph.initializer(name + ".weight", shape, folded[0]);
            String b = graph.initializer(name + ".bias", new long[] {shape[0]}, folded[1]);
            return convNode(name, List.of(x, w, b), shape[2], stride, pad);
        }
        String w = graph.initializer(conv + ".weight", shape, weights.floats(conv + ".weight"));
        List<String> inputs = weights.has(conv + ".bias")
                ? List.of(x, w, graph.initializer(conv + ".bias", new long[] {shape[0]}, weights.floats(conv + ".bias")))
                : List.of(x, w);
        String y = convNode(conv, inputs, shape[2], stride, pad);
        return bn == null ? y : batchNorm(y, bn);
    }

    private String convNode(String name, List<String> inputs, long k, long s, long p) {
        return graph.node("Conv", name, inputs, OnnxGraph.ints("kernel_shape", k, k), OnnxGraph.ints("strides", s, s),
                OnnxGraph.ints("pads", p, p, p, p), OnnxGraph.ints("dilations", 1, 1), OnnxGraph.integer("group", 1));
    }

    /**
     * Eval-mode BatchNorm after a convolution, as the convolution's own weights: with
     * {@code s = gamma / sqrt(var + eps)}, {@code W' = W s} per output channel and
     * {@code b' = (b - mean) s + beta}, computed in float64 and rounded once.
     */
    private float[][] fold(String conv, String bn, long[] shape) {
        double[] w = weights.doubles(conv + ".weight");
        double[] bias = weights.has(conv + ".bias") ? weights.doubles(conv + ".bias") : new double[(int) shape[0]];
        double[] gamma = weights.doubles(bn + ".weight");
        double[] beta = weights.doubles(bn + ".bias");
        double[] mean = weights.doubles(bn + ".running_mean");
        double[] var = weights.doubles(bn + ".running_var");
        weights.skip(bn + ".num_batches_tracked");
        int out = (int) shape[0];
        int per = w.length / out;
        float[] fw = new float[w.length];
        float[] fb = new float[out];
        for (int c = 0; c < out; c++) {
            double s = gamma[c] / Math.sqrt(var[c] + BN_EPS);
            for (int i = c * per; i < (c + 1) * per; i++) {
                fw[i] = (float) (w[i] * s);
            }
            fb[c] = (float) ((bias[c] - mean[c]) * s + beta[c]);
        }
        return new float[][] {fw, fb};
    }

    /** Eval-mode BatchNorm2d: a BatchNormalization node with the running statistics. */
    @Override
    public String batchNorm(String x, String bn) {
        long[] c = weights.shape(bn + ".weight");
        List<String> inputs = List.of(x,
                graph.initializer(bn + ".weight", c, weights.floats(bn + ".weight")),
                graph.initializer(bn + ".bias", c, weights.floats(bn + ".bias")),
                graph.initializer(bn + ".running_mean", c, weights.floats(bn + ".running_mean")),
                graph.initializer(bn + ".running_var", c, weights.floats(bn + ".running_var")));
        weights.skip(bn + ".num_batches_tracked");
        return graph.node("BatchNormalization", bn, inputs, OnnxGraph.real("epsilon", (float) BN_EPS));
    }

    @Override
    public String relu(String x, String name) {
        return graph.node("Relu", name, List.of(x));
    }

    @Override
    public String add(String a, String b, String name) {
        return graph.node("Add", name, List.of(a, b));
    }

    /** 3x3, stride 2, padding 1 (padding never wins: ONNX, like PyTorch, pads max-pooling with -inf). */
    @Override
    public String maxPool3x3s2(String x, String name) {
        return graph.node("MaxPool", name, List.of(x), OnnxGraph.ints("kernel_shape", 3, 3),
                OnnxGraph.ints("strides", 2, 2), OnnxGraph.ints("pads", 1, 1, 1, 1), OnnxGraph.integer("ceil_mode", 0));
    }

    /** Global average pooling, flatten, and the linear classifier {@code fc} (dropout is the identity in eval). */
    @Override
    public String head(String x, String output) {
        String pooled = graph.node("GlobalAveragePool", "avgpool", List.of(x));
        String flat = graph.node("Flatten", "flatten", List.of(pooled), OnnxGraph.integer("axis", 1));
        long[] shape = weights.shape("fc.weight");
        String w = graph.initializer("fc.weight", shape, weights.floats("fc.weight"));
        String b = graph.initializer("fc.bias", new long[] {shape[0]}, weights.floats("fc.bias"));
        return graph.node("Gemm", output, List.of(flat, w, b), OnnxGraph.integer("transB", 1));
    }
}
