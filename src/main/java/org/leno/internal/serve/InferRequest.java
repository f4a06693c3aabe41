package org.leno.internal.serve;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * An Open Inference Protocol v2 inference request ({@code POST /v2/models/NAME/infer}), read as a
 * stream so that a large FP32 tensor becomes a float array without a tree of number objects. One
 * input: {@code FP32} (preprocessed images, N x 3 x S x S) or {@code BYTES} (N encoded images, as
 * base64 strings). Anything else is a one-line {@link HttpError} 400.
 */
record InferRequest(Optional<String> id, Input input, List<Output> outputs) {
    /** The input tensor: exactly one of {@code floats} and {@code strings} is set, by datatype. */
    record Input(String name, long[] shape, String datatype, float[] floats, List<String> strings) {}

    /** A requested output: its name, and for the classification extension how many classes (else 0). */
    record Output(String name, int classification) {}

    private static final int MAX_DEPTH = 8;
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(16).build()).build();

    static InferRequest parse(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            expect(p.nextToken() == JsonToken.START_OBJECT, "the body is not a JSON object");
            Optional<String> id = Optional.empty();
            List<Input> inputs = new ArrayList<>();
            List<Output> outputs = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                switch (field) {
                    case "id" -> {
                        expect(value == JsonToken.VALUE_STRING, "\"id\" is not a string");
                        id = Optional.of(p.getText());
                    }
                    case "inputs" -> readArray(p, value, "inputs", () -> inputs.add(readInput(p)));
                    case "outputs" -> readArray(p, value, "outputs", () -> outputs.add(readOutput(p)));
                    default -> p.skipChildren();
                }
            }
            expect(p.currentToken() == JsonToken.END_OBJECT && p.nextToken() == null, "the body is not one JSON object");
            expect(inputs.size() == 1, "expected exactly one input, got " + inputs.size());
            return new InferRequest(id, inputs.get(0), outputs);
        } catch (IOException e) {
            throw HttpError.badRequest("malformed JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
    }

    /** The number of elements the shape asks for (at most {@code limit}). */
    static long elements(long[] shape, long limit) {
        long n = 1;
        for (long d : shape) {
            expect(d >= 0 && (d == 0 || n <= limit / d), "shape " + Arrays.toString(shape) + " is negative or too large");
            n *= d;
        }
        return n;
    }

    private interface Step {
        void run() throws IOException;
    }

    private static void readArray(JsonParser p, JsonToken start, String what, Step element) throws IOException {
        expect(start == JsonToken.START_ARRAY, "\"" + what + "\" is not an array");
        while (p.nextToken() != JsonToken.END_ARRAY) {
            element.run();
        }
    }

    private static Input readInput(JsonParser p) throws IOException {
        expect(p.currentToken() == JsonToken.START_OBJECT, "an input is not an object");
        String name = null;
        String datatype = null;
        long[] shape = null;
        Data data = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            switch (field) {
                case "name" -> name = text(p, value, "name");
                case "datatype" -> datatype = text(p, value, "datatype");
                case "shape" -> shape = readShape(p, value);
                case "data" -> data = readData(p, value);
                default -> p.skipChildren();
            }
        }
        expect(name != null && datatype != null && shape != null && data != null,
                "an input needs \"name\", \"shape\", \"datatype\" and \"data\"");
        return new Input(name, shape, datatype, data.floats(), data.strings());
    }

    private static Output readOutput(JsonParser p) throws IOException {
        expect(p.currentToken() == JsonToken.START_OBJECT, "an output is not an object");
        String name = null;
        int classification = 0;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name")) {
                name = text(p, value, "name");
            } else if (field.equals("parameters") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    JsonToken v = p.nextToken();
                    if (key.equals("classification")) {
                        expect(v == JsonToken.VALUE_NUMBER_INT && p.getLongValue() >= 1 && p.getLongValue() <= 1_000_000,
                                "\"classification\" is not a positive integer");
                        classification = p.getIntValue();
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        expect(name != null, "an output needs a \"name\"");
        return new Output(name, classification);
    }

    private static String text(JsonParser p, JsonToken value, String field) throws IOException {
        expect(value == JsonToken.VALUE_STRING, "\"" + field + "\" is not a string");
        return p.getText();
    }

    private static long[] readShape(JsonParser p, JsonToken value) throws IOException {
        expect(value == JsonToken.START_ARRAY, "\"shape\" is not an array");
        List<Long> dims = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            expect(p.currentToken() == JsonToken.VALUE_NUMBER_INT && dims.size() < MAX_DEPTH,
                    "\"shape\" is not a short list of integers");
            dims.add(p.getLongValue());
        }
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    /** A tensor's data: numbers (as floats) or strings, flat or nested in row-major order. */
    private record Data(float[] floats, List<String> strings) {}

    private static Data readData(JsonParser p, JsonToken value) throws IOException {
        expect(value == JsonToken.START_ARRAY, "\"data\" is not an array");
        float[] floats = new float[1024];
        int n = 0;
        List<String> strings = new ArrayList<>();
        int depth = 1;
        while (depth > 0) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                expect(++depth <= MAX_DEPTH, "\"data\" is nested too deeply");
            } else if (t == JsonToken.END_ARRAY) {
                depth--;
            } else if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                expect(strings.isEmpty(), "\"data\" mixes numbers and strings");
                if (n == floats.length) {
                    floats = Arrays.copyOf(floats, n * 2);
                }
                floats[n++] = p.getFloatValue();
            } else if (t == JsonToken.VALUE_STRING) {
                expect(n == 0, "\"data\" mixes numbers and strings");
                strings.add(p.getText());
            } else {
                throw HttpError.badRequest("\"data\" holds " + (t == null ? "nothing" : t.asString())
                        + ", not numbers or strings");
            }
        }
        return strings.isEmpty() ? new Data(Arrays.copyOf(floats, n), null) : new Data(null, strings);
    }

    static void expect(boolean ok, String message) {
        if (!ok) {
            throw HttpError.badRequest(message);
        }
    }
}
