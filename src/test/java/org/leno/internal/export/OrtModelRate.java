package org.leno.internal.export;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A benchmark, not a test: ONNX Runtime's rate on an ONNX file, model alone (random input, all
 * graph optimisations, 2 intra-op threads by default), for the inference table of
 * docs/inference.md. Prints {"images_per_s": ...}, the median of the timed runs.
 * Usage (scripts/inference_table.py builds the class path): OrtModelRate MODEL.onnx [BATCH] [SIZE] [RUNS] [THREADS]
 */
public final class OrtModelRate {
    private OrtModelRate() {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 224;
        int runs = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        int threads = args.length > 4 ? Integer.parseInt(args[4]) : 2;
        float[] x = new float[batch * 3 * size * size];
        SplittableRandom random = new SplittableRandom(0);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextDouble() * 4 - 2);
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            o.setIntraOpNumThreads(threads);
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            try (OrtSession session = env.createSession(model, o);
                 OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {batch, 3, size, size})) {
                String name = session.getInputNames().iterator().next();
                session.run(Map.of(name, input)).close();
                double[] rates = new double[runs];
                for (int r = 0; r < runs; r++) {
                    long start = System.nanoTime();
                    session.run(Map.of(name, input)).close();
                    rates[r] = batch / ((System.nanoTime() - start) / 1e9);
                }
                Arrays.sort(rates);
                System.out.printf("{\"images_per_s\": %.3f}%n", rates[runs / 2]);
            }
        }
    }
}
