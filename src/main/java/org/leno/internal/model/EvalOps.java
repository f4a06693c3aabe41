package org.leno.internal.model;

import java.util.function.Supplier;

/**
 * The operations of a residual network's eval-mode forward, on values of type {@code V} (a graph
 * node's name when writing a graph, a tensor when computing), their weights named by state-dict key.
 * {@link EvalGraph} says which to apply in which order; the combined forms let an implementation
 * apply the ReLU or addition after a convolution in place on its fresh output (or as one node), and
 * default to the separate operations.
 */
public interface EvalOps<V> {
    /** libtorch's BatchNorm2d epsilon, which every BatchNorm of the three families keeps. */
    double BN_EPS = 1e-5;

    /** Whether the state dict has {@code key} (which blocks have a projection shortcut). */
    boolean has(String key);

    /** Conv2d {@code conv} (square kernel, its bias if the state dict has one), then BatchNorm {@code bn} unless null. */
    V conv(V x, String conv, String bn, long stride, long pad);

    /** Eval-mode BatchNorm2d with its running statistics. */
    V batchNorm(V x, String bn);

    V relu(V x, String name);

    V add(V a, V b, String name);

    /** 3x3, stride 2, padding 1. */
    V maxPool3x3s2(V x, String name);

    /** Global average pooling, flatten, and the linear classifier {@code fc}, named {@code output}. */
    V head(V x, String output);

    /**
     * Computes one residual block (or the stem); an implementation may free the block's intermediate
     * values when it returns, keeping only its output.
     */
    default V block(Supplier<V> body) {
        return body.get();
    }

    /** relu(conv(x)). */
    default V convRelu(V x, String conv, String bn, long stride, long pad, String relu) {
        return relu(conv(x, conv, bn, stride, pad), relu);
    }

    /** conv(x) + residual. */
    default V convAdd(V x, String conv, String bn, long stride, long pad, V residual, String add) {
        return add(conv(x, conv, bn, stride, pad), residual, add);
    }

    /** relu(conv(x) + residual). */
    default V convAddRelu(V x, String conv, String bn, long stride, long pad, V residual, String add, String relu) {
        return relu(convAdd(x, conv, bn, stride, pad, residual, add), relu);
    }
}
