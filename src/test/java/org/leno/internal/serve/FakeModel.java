package org.leno.internal.serve;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.leno.internal.data.decode.UnreadableImageException;

/**
 * A model without libtorch for the server's tests: an "image" is the text {@code IMG<v>} (v a number),
 * its input is 3 x 2 x 2 copies of v, and its logits are (v, 2v, 0) plus {@code offset}. Forward passes
 * can be held until the test lets them go ({@link #hold()}, {@link #release(int)}).
 */
final class FakeModel implements ServedModel {
    static final List<String> CLASSES = List.of("cat", "dog", "bird");
    static final int SIZE = 2;

    final List<Integer> batches = new CopyOnWriteArrayList<>();
    final AtomicBoolean closed = new AtomicBoolean();
    private final float offset;
    private volatile Semaphore gate;

    FakeModel(float offset) {
        this.offset = offset;
    }

    static byte[] image(float v) {
        return ("IMG" + v).getBytes(StandardCharsets.US_ASCII);
    }

    /** Forward passes wait for {@link #release(int)} from now on. */
    FakeModel hold() {
        gate = new Semaphore(0);
        return this;
    }

    void release(int passes) {
        gate.release(passes);
    }

    static float[] logits(float v, float offset) {
        return new float[] {v + offset, 2 * v + offset, offset};
    }

    @Override
    public Description description() {
        return new Description(CLASSES, SIZE, Map.of("resize", 3, "crop", SIZE), Map.of("arch", "fake"));
    }

    @Override
    public int classes() {
        return CLASSES.size();
    }

    @Override
    public float[] prepare(byte[] encoded, String name) {
        String text = new String(encoded, StandardCharsets.US_ASCII);
        if (!text.startsWith("IMG")) {
            throw new UnreadableImageException(name + ": not a decodable image");
        }
        try {
            float[] input = new float[3 * SIZE * SIZE];
            Arrays.fill(input, Float.parseFloat(text.substring(3)));
            return input;
        } catch (NumberFormatException e) {
            throw new UnreadableImageException(name + ": not a decodable image");
        }
    }

    @Override
    public float[][] logits(List<float[]> inputs) {
        if (closed.get()) {
            throw new IllegalStateException("the classifier is closed");
        }
        Semaphore g = gate;
        if (g != null) {
            g.acquireUninterruptibly();
        }
        batches.add(inputs.size());
        float[][] out = new float[inputs.size()][];
        for (int i = 0; i < inputs.size(); i++) {
            out[i] = logits(inputs.get(i)[0], offset);
        }
        return out;
    }

    @Override
    public void close() {
        closed.set(true);
    }
}
