package org.leno.internal.predict;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.model.EvalGraph;
import org.leno.internal.model.EvalOps;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.KernelGuard;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.VerifiedKernels;

/**
 * A residual network's eval-mode forward for inference, computed from its weights by
 * {@link EvalGraph} rather than by its modules: each BatchNorm that follows a convolution folded
 * into that convolution (in float64, rounded once, as the ONNX export does), the other BatchNorms
 * reduced to a per-channel scale and shift, activations channels-last (oneDNN's preferred layout,
 * so no reorder between layers), ReLU and additions in place. In bfloat16 the weights are cast
 * once, here, and the activations stay bfloat16 up to the classifier, which runs in float32.
 * Not thread-safe; the weights are copies, so later changes to the network's weights do not reach it.
 */
public final class FoldedForward implements AutoCloseable {
    /** The number format of weights and activations. */
    public enum Precision {
        FP32(torch.ScalarType.Float), BF16(torch.ScalarType.BFloat16);

        private final torch.ScalarType type;

        Precision(torch.ScalarType type) {
            this.type = type;
        }
    }

    /** A convolution's weight and bias (null: none) as the forward uses them. */
    private record ConvWeights(Tensor weight, Tensor bias) {}

    /** A BatchNorm as {@code x * scale + shift}, both 1 x C x 1 x 1. */
    private record Affine(Tensor scale, Tensor shift) {}

    private final EvalGraph<Tensor> graph;
    private final Computation computation;
    private final Precision precision;
    private final Set<String> keys;
    private final Map<String, ConvWeights> convs = new HashMap<>();
    private final VerifiedKernels kernels = new VerifiedKernels(KernelGuard.shared());
    private final Map<String, Affine> norms = new HashMap<>();
    private Tensor fcWeight;
    private Tensor fcBias;
    private boolean closed;

    private FoldedForward(ResidualNetwork net, Precision precision) {
        this.precision = precision;
        // the state dict's handles and the folding's float64 temporaries die with this scope; the prepared weights are owned
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Map<String, Tensor> stateDict = StateDict.of(net);
            this.keys = Set.copyOf(stateDict.keySet());
            new EvalGraph<>(new Preparation(stateDict), net.config().arch(), net.blocksPerStage()).forward("input", "logits");
        }
        this.computation = new Computation();
        this.graph = new EvalGraph<>(computation, net.config().arch(), net.blocksPerStage());
    }

    /** The forward of {@code net}'s current weights. */
    public static FoldedForward of(ResidualNetwork net, Precision precision) {
        return new FoldedForward(net, precision);
    }

    public Precision precision() { return precision; }

    /** The float32 logits (N x classes) of a float32 N x 3 x H x W batch, normalised as the validation transform does. */
    public Tensor forward(Tensor x) {
        if (closed) {
            throw new IllegalStateException("the forward is closed");
        }
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor input = x.to(precision.type).contiguous(torch.MemoryFormat.ChannelsLast);
            kernels.verify(input, sample -> {
                graph.forward(sample, "logits");
                computation.release();
            });
            return graph.forward(input, "logits");
        } finally {
            computation.release();
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        convs.values().forEach(c -> {
            c.weight().close();
            if (c.bias() != null) {
                c.bias().close();
            }
        });
        norms.values().forEach(n -> {
            n.scale().close();
            n.shift().close();
        });
        fcWeight.close();
        fcBias.close();
    }

    /**
     * Walks the graph once to turn the state dict into the weights the computation uses, each made
     * by {@link NativeScope#owned} and so owned by this object (freed by {@link #close}).
     */
    private final class Preparation implements EvalOps<String> {
        private final Map<String, Tensor> stateDict;

        Preparation(Map<String, Tensor> stateDict) {
            this.stateDict = stateDict;
        }

        private Tensor entry(String key) {
            Tensor t = stateDict.get(key);
            if (t == null) {
                throw new IllegalStateException("the model has no state-dict entry " + key);
            }
            return t;
        }

        @Override
        public boolean has(String key) {
            return stateDict.containsKey(key);
        }

        @Override
        public String conv(String x, String conv, String bn, long stride, long pad) {
            Tensor w = entry(conv + ".weight");
            Tensor b = stateDict.get(conv + ".bias");
            if (bn == null) {
                convs.put(conv, new ConvWeights(NativeScope.owned(() -> weight(w)), b == null ? null : NativeScope.owned(() -> b.to(precision.type))));
                return x;
            }
            // W' = W s and b' = (b - mean) s + beta per output channel, in float64
            Tensor s = scale(bn);
            Tensor w64 = w.to(torch.ScalarType.Double).mul(s.view(-1, 1, 1, 1));
            Tensor b64 = shift(bn, s, b);
            convs.put(conv + "+" + bn, new ConvWeights(NativeScope.owned(() -> weight(w64)),
                    NativeScope.owned(() -> b64.to(precision.type))));
            return x;
        }

        /** {@code s = gamma / sqrt(running_var + eps)} of BatchNorm {@code bn}, in float64. */
        private Tensor scale(String bn) {
            return entry(bn + ".weight").to(torch.ScalarType.Double)
                    .div(entry(bn + ".running_var").to(torch.ScalarType.Double).add(new Scalar(BN_EPS)).sqrt());
        }

        /** {@code (bias - mean) s + beta} of BatchNorm {@code bn} after a convolution's {@code bias} (null: none), in float64. */
        private Tensor shift(String bn, Tensor s, Tensor bias) {
            Tensor mean = entry(bn + ".running_mean").to(torch.ScalarType.Double);
            Tensor b0 = bias == null ? torch.zeros_like(mean) : bias.to(torch.ScalarType.Double);
            return b0.sub(mean).mul(s).add(entry(bn + ".bias").to(torch.ScalarType.Double));
        }

        /** The weight rounded once to the forward's type, channels-last as oneDNN prefers. */
        private Tensor weight(Tensor w) {
            return w.to(precision.type).contiguous(torch.MemoryFormat.ChannelsLast);
        }

        @Override
        public String batchNorm(String x, String bn) {
            Tensor s = scale(bn);
            Tensor shift = shift(bn, s, null);
            norms.put(bn, new Affine(NativeScope.owned(() -> s.to(precision.type).view(1, -1, 1, 1)),
                    NativeScope.owned(() -> shift.to(precision.type).view(1, -1, 1, 1))));
            return x;
        }

        @Override
        public String relu(String x, String name) { return x; }

        @Override
        public String add(String a, String b, String name) { return a; }

        @Override
        public String maxPool3x3s2(String x, String name) { return x; }

        @Override
        public String head(String x, String output) {
            fcWeight = NativeScope.owned(() -> entry("fc.weight").to(torch.ScalarType.Float).contiguous());
            fcBias = NativeScope.owned(() -> entry("fc.bias").to(torch.ScalarType.Float).contiguous());
            return x;
        }
    }

    /** The forward itself, on the prepared weights. */
    private final class Computation implements EvalOps<Tensor> {
        /** The last block's output, owned here until the next block has consumed it. */
        private Tensor previous;

        /**
         * Each block in a scope of its own, so that its intermediate activations are freed as it
         * returns, and its input (the previous block's output) once it has been used: a forward holds
         * about two blocks' activations at a time, not the whole network's.
         */
        @Override
        public Tensor block(Supplier<Tensor> body) {
            Tensor out = NativeScope.owned(body);
            release();
            previous = out;
            return out;
        }

        void release() {
            if (previous != null) {
                previous.close();
                previous = null;
            }
        }

        @Override
        public boolean has(String key) {
            return keys.contains(key);
        }

        private ConvWeights weights(String conv, String bn) {
            return convs.get(bn == null ? conv : conv + "+" + bn);
        }

        @Override
        public Tensor conv(Tensor x, String conv, String bn, long stride, long pad) {
            ConvWeights c = weights(conv, bn);
            TensorOptional bias = c.bias() == null ? new TensorOptional() : new TensorOptional(c.bias());
            return kernels.conv(x, c.weight(), c.bias(), stride, pad, () -> torch.conv2d(x, c.weight(), bias,
                    new long[] {stride, stride}, new long[] {pad, pad}, new long[] {1, 1}, 1));
        }

        @Override
        public Tensor convRelu(Tensor x, String conv, String bn, long stride, long pad, String relu) {
            return conv(x, conv, bn, stride, pad).relu_();
        }

        @Override
        public Tensor convAdd(Tensor x, String conv, String bn, long stride, long pad, Tensor residual, String add) {
            return convAdd(x, conv, bn, stride, pad, residual, false);
        }

        @Override
        public Tensor convAddRelu(Tensor x, String conv, String bn, long stride, long pad, Tensor residual, String add,
                                  String relu) {
            return convAdd(x, conv, bn, stride, pad, residual, true);
        }

        private Tensor convAdd(Tensor x, String conv, String bn, long stride, long pad, Tensor residual, boolean relu) {
            Tensor y = conv(x, conv, bn, stride, pad).add_(residual);
            return relu ? y.relu_() : y;
        }

        @Override
        public Tensor batchNorm(Tensor x, String bn) {
            Affine a = norms.get(bn);
            return x.mul(a.scale()).add_(a.shift());
        }

        @Override
        public Tensor relu(Tensor x, String name) {
            return torch.relu(x);
        }

        @Override
        public Tensor add(Tensor a, Tensor b, String name) {
            return a.add(b);
        }

        @Override
        public Tensor maxPool3x3s2(Tensor x, String name) {
            return torch.max_pool2d(x, new long[] {3, 3}, new long[] {2, 2}, new long[] {1, 1}, new long[] {1, 1}, false);
        }

        @Override
        public Tensor head(Tensor x, String output) {
            Tensor pooled = x.mean(new long[] {2, 3}, false, new ScalarTypeOptional(torch.ScalarType.Float));
            return kernels.linear(pooled, fcWeight, fcBias, () -> torch.linear(pooled, fcWeight, new TensorOptional(fcBias)));
        }
    }
}
