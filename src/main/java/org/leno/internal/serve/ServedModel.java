package org.leno.internal.serve;

import java.util.List;
import java.util.Map;

/**
 * A model as the server uses it: images in, logits out. The server calls {@link #prepare} from many
 * threads at once and {@link #logits} from one thread at a time (its batcher); tests give it a fake.
 */
public interface ServedModel extends AutoCloseable {
    /** What {@code GET /v2/models/NAME} tells about the model. */
    record Description(List<String> classNames, int inputSize, Map<String, Object> preprocessing,
                       Map<String, Object> model) {
        public Description {
            classNames = List.copyOf(classNames);
            preprocessing = Map.copyOf(preprocessing);
            model = Map.copyOf(model);
        }

        /** The name of class {@code index}, else the index itself. */
        public String label(int index) {
            return index < classNames.size() ? classNames.get(index) : Integer.toString(index);
        }

        /** The values of one preprocessed image: 3 x inputSize x inputSize. */
        public int inputLength() {
            return 3 * inputSize * inputSize;
        }
    }

    Description description();

    /** How many classes the logits have. */
    int classes();

    /**
     * The model input of an encoded image (PNG, JPEG, ...), decoded and preprocessed as in validation.
     *
     * @throws org.leno.internal.data.decode.UnreadableImageException if the bytes are not an image within the limits
     */
    float[] prepare(byte[] encoded, String name);

    /** The logits of the inputs (each {@link Description#inputLength()} values), in one forward pass. */
    float[][] logits(List<float[]> inputs);

    /** Releases the model; called once no request uses it any more. */
    @Override
    void close();
}
