package org.leno.internal.predict;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.data.decode.UnreadableImageException;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Tensors;

/**
 * A model in eval mode with its validation transform and class names: the part of `leno predict`
 * and of the Java API that turns images into class probabilities. The forward is
 * {@link FoldedForward}'s (BatchNorm folded, channels-last, float32 or bfloat16); the network's own
 * modules keep the weights as loaded, for writing them out. Preparing inputs is safe from
 * any number of threads; forward passes are serialised on this object, and a closed classifier
 * refuses them.
 */
public final class ImageClassifier implements AutoCloseable {
    /** One class of a prediction: its index and softmax probability. */
    public record Scored(int index, double probability) {}

    private final ResidualNetwork net;
    private final FoldedForward forward;
    private final InferenceSetup setup;
    private final ImageDecoder decoder;
    private boolean closed;

    private ImageClassifier(ResidualNetwork net, FoldedForward forward, InferenceSetup setup, ImageDecoder decoder) {
        this.net = net;
        this.forward = forward;
        this.setup = setup;
        this.decoder = decoder;
    }

    /**
     * The model of {@code file} as {@code overrides} amend its card, computing in {@code precision};
     * images over {@code maxPixels} are refused.
     */
    public static ImageClassifier open(ModelFile file, Overrides overrides, long maxPixels, FoldedForward.Precision precision) {
        InferenceSetup setup = InferenceSetup.of(file, overrides);
        ImageDecoder decoder = new ImageDecoder(maxPixels);
        ResidualNetwork net = ModelRegistry.create(setup.model());
        try {
            ModelWeights.load(net, file.loaded());
            net.eval();
            return new ImageClassifier(net, FoldedForward.of(net, precision), setup, decoder);
        } catch (RuntimeException e) {
            net.close();
            throw e;
        }
    }

    public FoldedForward.Precision precision() { return forward.precision(); }

    public InferenceSetup setup() { return setup; }

    public ImageDecoder decoder() { return decoder; }

    /** The model's weights as a live view (for writing them out); use while this classifier is open. */
    public ResidualNetwork network() { return net; }

    /**
     * The model input of an 8-bit RGB image: 3 x crop x crop normalised floats. An image whose
     * resize would exceed the pixel limit (a very thin one: its shorter side becomes the resize
     * size) is refused, naming {@code name}.
     */
    public float[] input(Mat rgb, String name) {
        requireUsable(rgb, name);
        return setup.transform().apply(rgb);
    }

    /** Refuses, naming {@code name}, what {@link #input} refuses: not RGB, or a resize over the pixel limit. */
    public void requireUsable(Mat rgb, String name) {
        ValTransform t = setup.transform();
        long w = rgb.cols();
        long h = rgb.rows();
        if (w < 1 || h < 1 || rgb.channels() != 3) {
            throw new UnreadableImageException(name + ": not an RGB image of at least 1x1 pixels");
        }
        long shorter = Math.min(w, h);
        long resized = (long) t.resize() * (Math.max(w, h) * t.resize() / shorter);
        long limit = Math.max(decoder.maxPixels(), ImageDecoder.DEFAULT_MAX_PIXELS);
        if (resized > limit) {
            throw new UnreadableImageException(name + ": a " + w + "x" + h + " image would be resized to " + resized
                    + " pixels, over the limit of " + limit);
        }
    }

    /** The logits of the given inputs (each from {@link #input}), in one forward pass. */
    public synchronized float[][] logits(List<float[]> inputs) {
        if (closed) {
            throw new IllegalStateException("the classifier is closed");
        }
        int n = inputs.size();
        if (n == 0) {
            return new float[0][];
        }
        int crop = setup.transform().crop();
        int per = 3 * crop * crop;
        float[] flat = new float[Math.multiplyExact(n, per)];
        for (int i = 0; i < n; i++) {
            System.arraycopy(inputs.get(i), 0, flat, i * per, per);
        }
        float[] all;
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor x = Tensors.fromFloats(flat, n, 3, crop, crop);
            all = Tensors.floats(forward.forward(x));
        }
        int classes = all.length / n;
        float[][] out = new float[n][];
        for (int i = 0; i < n; i++) {
            out[i] = Arrays.copyOfRange(all, i * classes, (i + 1) * classes);
        }
        return out;
    }

    /** The {@code k} most probable classes (softmax of {@code logits}), ties to the lower index. */
    public static List<Scored> topK(float[] logits, int k) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        double[] e = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            e[i] = Math.exp(logits[i] - max);
            sum += e[i];
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < logits.length; i++) {
            order.add(i);
        }
        order.sort(Comparator.comparingDouble((Integer i) -> -logits[i]).thenComparingInt(i -> i));
        List<Scored> out = new ArrayList<>();
        for (int i : order.subList(0, Math.min(k, logits.length))) {
            out.add(new Scored(i, e[i] / sum));
        }
        return out;
    }

    public synchronized boolean isClosed() { return closed; }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            forward.close();
            net.close();
        }
    }
}
