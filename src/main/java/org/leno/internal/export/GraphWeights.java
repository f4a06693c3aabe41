package org.leno.internal.export;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.leno.internal.interop.TensorData;

/**
 * A model's state dict as the graph writer reads it: each tensor as float32, remembering which
 * entries the graph used, so that a graph that leaves a weight out is an error rather than a model
 * that computes something else.
 */
final class GraphWeights {
    private final Map<String, TensorData> stateDict;
    private final Set<String> used = new HashSet<>();

    GraphWeights(Map<String, TensorData> stateDict) {
        this.stateDict = stateDict;
    }

    boolean has(String key) {
        return stateDict.containsKey(key);
    }

    float[] floats(String key) {
        return get(key).toFloats();
    }

    /** The entry as float64, for folding BatchNorm into a convolution without a float32 rounding in between. */
    double[] doubles(String key) {
        return get(key).toDoubles();
    }

    long[] shape(String key) {
        return get(key).shape();
    }

    /** Marks an entry the inference graph needs no value of (BatchNorm's num_batches_tracked). */
    void skip(String key) {
        get(key);
    }

    /** The entries no node used, in state-dict order. */
    List<String> unused() {
        List<String> out = new ArrayList<>();
        for (String key : stateDict.keySet()) {
            if (!used.contains(key)) {
                out.add(key);
            }
        }
        return out;
    }

    private TensorData get(String key) {
        TensorData t = stateDict.get(key);
        if (t == null) {
            throw new IllegalStateException("ONNX export: the model has no state-dict entry " + key);
        }
        used.add(key);
        return t;
    }
}
