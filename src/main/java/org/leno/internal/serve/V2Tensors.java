package org.leno.internal.serve;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.leno.internal.predict.ImageClassifier;

/** The v2 protocol's tensors: a request's input checked and split into images, and the response's outputs. */
final class V2Tensors {
    /** Turns one encoded image into a model input (decoding and preprocessing). */
    interface Preparer {
        float[] prepare(ServedModel model, byte[] encoded, String name);
    }

    private V2Tensors() {
    }

    /** The number of images of a well-formed request (its outputs checked too), else a 400. */
    static int images(InferRequest request) {
        for (InferRequest.Output o : request.outputs()) {
            InferRequest.expect(o.name().equals(Inference.PROBABILITIES) || o.name().equals(Inference.LOGITS),
                    "no output " + HttpError.quote(o.name()) + " (outputs: probabilities, logits)");
        }
        InferRequest.Input in = request.input();
        long[] shape = in.shape();
        switch (in.datatype()) {
            case "FP32" -> {
                InferRequest.expect(shape.length == 4 && shape[0] >= 1 && shape[1] == 3 && in.floats() != null,
                        "an FP32 input is numbers of shape [N, 3, H, W], got shape " + Arrays.toString(shape));
                InferRequest.expect(InferRequest.elements(shape, Integer.MAX_VALUE) == in.floats().length,
                        "shape " + Arrays.toString(shape) + " needs " + InferRequest.elements(shape, Integer.MAX_VALUE)
                                + " values, \"data\" has " + in.floats().length);
            }
            case "BYTES" -> {
                InferRequest.expect((shape.length == 1 || shape.length == 2 && shape[1] == 1) && shape[0] >= 1
                        && in.strings() != null, "a BYTES input is strings of shape [N] or [N, 1], got shape "
                        + Arrays.toString(shape));
                InferRequest.expect(in.strings().size() == shape[0],
                        "shape " + Arrays.toString(shape) + " needs " + shape[0] + " strings, \"data\" has " + in.strings().size());
            }
            default -> throw HttpError.badRequest("datatype " + HttpError.quote(in.datatype()) + " is not FP32 or BYTES");
        }
        return (int) shape[0];
    }

    /** The model inputs of a request checked by {@link #images}. */
    static List<float[]> inputs(InferRequest.Input in, ServedModel model, Preparer preparer) {
        List<float[]> out = new ArrayList<>();
        if (in.datatype().equals("BYTES")) {
            for (int i = 0; i < in.strings().size(); i++) {
                out.add(preparer.prepare(model, base64(in.strings().get(i), i), "image " + i));
            }
            return out;
        }
        int s = model.description().inputSize();
        long[] shape = in.shape();
        InferRequest.expect(shape[2] == s && shape[3] == s, "this model takes FP32 input of shape [N, 3, " + s + ", " + s
                + "], got " + Arrays.toString(shape));
        float[] all = in.floats();
        for (float v : all) {
            InferRequest.expect(Float.isFinite(v), "the FP32 input holds a value that is not finite");
        }
        int per = 3 * s * s;
        for (int i = 0; i < shape[0]; i++) {
            out.add(Arrays.copyOfRange(all, i * per, (i + 1) * per));
        }
        return out;
    }

    /** The response: the requested outputs (probabilities when none is named), each [N, classes] or [N, k]. */
    static Map<String, Object> response(String modelName, InferRequest request, Inference.Results results) {
        List<InferRequest.Output> wanted = request.outputs().isEmpty()
                ? List.of(new InferRequest.Output(Inference.PROBABILITIES, 0)) : request.outputs();
        List<Object> outputs = new ArrayList<>();
        for (InferRequest.Output o : wanted) {
            outputs.add(o.classification() > 0 ? classification(o, results) : tensor(o.name(), results.logits()));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("model_name", modelName);
        request.id().ifPresent(id -> m.put("id", id));
        m.put("outputs", outputs);
        return m;
    }

    private static Map<String, Object> tensor(String name, List<float[]> logits) {
        int classes = logits.get(0).length;
        float[] data = new float[logits.size() * classes];
        for (int i = 0; i < logits.size(); i++) {
            float[] values = name.equals(Inference.LOGITS) ? logits.get(i) : probabilities(logits.get(i));
            System.arraycopy(values, 0, data, i * classes, classes);
        }
        return Map.of("name", name, "datatype", "FP32", "shape", List.of(logits.size(), classes), "data", data);
    }

    /** Triton's classification extension: per image the k best as "probability:index:label". */
    private static Map<String, Object> classification(InferRequest.Output o, Inference.Results results) {
        List<String> data = new ArrayList<>();
        int k = Math.min(o.classification(), results.logits().get(0).length);
        for (float[] logits : results.logits()) {
            for (ImageClassifier.Scored s : ImageClassifier.topK(logits, k)) {
                data.add((float) s.probability() + ":" + s.index() + ":" + results.description().label(s.index()));
            }
        }
        return Map.of("name", o.name(), "datatype", "BYTES", "shape", List.of(results.logits().size(), k), "data", data);
    }

    /** The softmax of {@code logits}, as {@link ImageClassifier#topK} computes it (in double, then rounded). */
    static float[] probabilities(float[] logits) {
        double[] p = new double[logits.length];
        for (ImageClassifier.Scored s : ImageClassifier.topK(logits, logits.length)) {
            p[s.index()] = s.probability();
        }
        float[] out = new float[p.length];
        for (int i = 0; i < p.length; i++) {
            out[i] = (float) p[i];
        }
        return out;
    }

    private static byte[] base64(String text, int index) {
        try {
            return text.indexOf('-') >= 0 || text.indexOf('_') >= 0 ? Base64.getUrlDecoder().decode(text)
                    : Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw HttpError.badRequest("image " + index + ": not base64 (" + e.getMessage() + ")");
        }
    }
}
