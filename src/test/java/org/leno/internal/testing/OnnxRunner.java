package org.leno.internal.testing;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Map;
import org.bytedeco.pytorch.NoGradGuard;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.BatchNorm;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Tensors;

/** Runs ONNX models in ONNX Runtime for Java, and the same inputs through our libtorch models. */
public final class OnnxRunner implements AutoCloseable {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    private OnnxRunner(OrtSession session) {
        this.session = session;
    }

    public static OnnxRunner of(byte[] model) throws OrtException {
        return of(model, true);
    }

    /** Without {@code optimize}, ONNX Runtime runs the graph as written (it folds BatchNorm into Conv itself otherwise). */
    public static OnnxRunner of(byte[] model, boolean optimize) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            if (!optimize) {
                o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
            }
            return new OnnxRunner(env.createSession(model, o));
        }
    }

    public static OnnxRunner of(java.nio.file.Path model) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(2);
            return new OnnxRunner(env.createSession(model.toString(), o));
        }
    }

    public OrtSession session() { return session; }

    /** The output of the model's one input {@code x} of shape {@code [n, 3, size, size]}, as floats. */
    public float[] run(float[] x, int n, int size) throws OrtException {
        try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 3, size, size});
             OrtSession.Result r = session.run(Map.of(session.getInputNames().iterator().next(), in))) {
            FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
            float[] out = new float[b.remaining()];
            b.get(out);
            return out;
        }
    }

    /** Our model's eval-mode logits (no_grad) of the same input. */
    public static float[] torchLogits(ResidualNetwork net, float[] x, int n, int size) {
        net.eval();
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.floats(net.forward(Tensors.fromFloats(x, n, 3, size, size)));
        }
    }

    /**
     * Fills {@code net} with the fixtures' deterministic weights, then sets every BatchNorm's running
     * statistics to its batch statistics of one training-mode forward of seeded inputs (momentum 1),
     * the variance then raised by the squared mean (the second moment). The eval-mode activations so
     * keep their scale through very deep networks, each channel's statistics differ, and no channel
     * of large mean and tiny variance amplifies float32 rounding: with the batch variance alone,
     * a random ResNet-101 is so ill-conditioned that libtorch and ONNX Runtime each differ from a
     * float64 forward by 2-3e-4.
     */
    public static void calibrated(ResidualNetwork net, long seed, int size) {
        Fixtures.fillDeterministic(net);
        for (BatchNorm bn : net.batchNorms()) {
            bn.options().momentum().put(1.0);
        }
        net.train(true);
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            net.forward(Tensors.fromFloats(input(seed, 8, size), 8, 3, size, size));
            for (BatchNorm bn : net.batchNorms()) {
                bn.running_var().add_(bn.running_mean().square());
            }
        } finally {
            for (BatchNorm bn : net.batchNorms()) {
                bn.options().momentum().put(0.1);
            }
        }
        net.eval();
    }

    /** Seeded inputs in [-2, 2), about the range of normalised images. */
    public static float[] input(long seed, int n, int size) {
        float[] x = new float[n * 3 * size * size];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (2 * Fixtures.uniform(seed * 1_000_003L + i));
        }
        return x;
    }

    public static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        }
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs((double) a[i] - b[i]));
        }
        return m;
    }

    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    @Override
    public void close() throws OrtException {
        session.close();
    }
}
