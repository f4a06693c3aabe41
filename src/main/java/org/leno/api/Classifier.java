package org.leno.api;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ForkJoinPool;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.evaluate.ClassMapping;
import org.leno.internal.evaluate.EvaluationData;
import org.leno.internal.evaluate.EvaluationSummary;
import org.leno.internal.evaluate.Evaluator;
import org.leno.internal.evaluate.Tta;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.model.ModelCard;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.predict.FoldedForward;
import org.leno.internal.predict.ImageClassifier;
import org.leno.internal.predict.InferenceSetup;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.predict.Overrides;
import org.leno.internal.predict.PreparedInputs;

/**
 * A trained model ready to classify images, with its class names and preprocessing (the
 * validation transform it was trained with), all read from what {@code leno train} wrote.
 *
 * <pre>{@code
 * try (Classifier classifier = Classifier.load(Path.of("results"))) {
 *     for (Prediction p : classifier.predict(Path.of("shoe.png"), 3)) {
 *         System.out.printf("%s %.4f%n", p.label(), p.probability());
 *     }
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A classifier is safe to share between threads. Images are decoded and
 * preprocessed in the calling threads, concurrently; the forward passes of the model run one at a
 * time (the classifier locks itself for each). {@link #close()} waits for a running pass and
 * releases the model's native memory; any call afterwards fails with a {@link LenoException}.
 *
 * <p><b>Images.</b> Any size and channel count is accepted: grey images are copied to three
 * channels, an alpha channel is dropped, and the image is resized and centre-cropped as in
 * validation. Images over {@value #DEFAULT_MAX_PIXELS} pixels (PIL's limit) are refused.
 */
public final class Classifier implements AutoCloseable {
    /** How many classes {@link #predict(Path)} and its siblings return. */
    public static final int DEFAULT_TOP_K = 5;
    /** The largest image accepted, in pixels (PIL's {@code Image.MAX_IMAGE_PIXELS}). */
    public static final long DEFAULT_MAX_PIXELS = ImageDecoder.DEFAULT_MAX_PIXELS;
    /** Inputs per forward pass of {@link #evaluate(Path)}. */
    private static final int EVALUATION_BATCH = 32;

    private final ImageClassifier core;
    private final Path source;

    private Classifier(ImageClassifier core, Path source) {
        this.core = core;
        this.source = source;
    }

    /**
     * Loads a model: a {@code leno train} results folder (its {@code model_best.pth.tar}, else its
     * {@code checkpoint.pth.tar}), one of its checkpoints, or a safetensors file written by
     * {@link #save(Path)}. The file must carry a model card (every checkpoint that {@code leno train}
     * writes does); a bare state dict gets LeNo-ResNet-50 with 1000 classes and the 256/224 transform.
     *
     * @param path a run folder, a checkpoint or a safetensors file
     * @return an open classifier; close it to release its native memory
     * @throws LenoException if the file is missing, unreadable, not a model of ours, or its weights do not fit
     */
    public static Classifier load(Path path) {
        return load(path, false);
    }

    /**
     * As {@link #load(Path)}, computing in bfloat16 when {@code bfloat16}: about twice as fast on a
     * CPU with bfloat16 instructions (avx512_bf16 or AMX), slower on one without; probabilities
     * differ from float32's by about a percent, and the top class rarely.
     *
     * @param path     a run folder, a checkpoint or a safetensors file
     * @param bfloat16 weights and activations in bfloat16 rather than float32
     * @return an open classifier; close it to release its native memory
     * @throws LenoException if the file is missing, unreadable, not a model of ours, or its weights do not fit
     */
    public static Classifier load(Path path, boolean bfloat16) {
        return Errors.guard(() -> {
            ModelFile file = ModelFile.read(path, false);
            FoldedForward.Precision precision = bfloat16 ? FoldedForward.Precision.BF16 : FoldedForward.Precision.FP32;
            return new Classifier(ImageClassifier.open(file, Overrides.none(), DEFAULT_MAX_PIXELS, precision), file.file());
        });
    }

    /**
     * The class names, in index order (a class without a recorded name is named by its index).
     *
     * @return one name per class of the model
     */
    public List<String> labels() {
        InferenceSetup s = core.setup();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.model().nClasses(); i++) {
            out.add(s.label(i));
        }
        return out;
    }

    /**
     * The side of the square the model sees after preprocessing (the validation crop).
     *
     * @return the crop size in pixels
     */
    public int inputSize() {
        return core.setup().transform().crop();
    }

    /**
     * Classifies an image file (PNG, JPEG, WebP, TIFF, BMP, PPM/PGM).
     *
     * @param image the file
     * @return the {@value #DEFAULT_TOP_K} most probable classes (fewer if the model has fewer), most probable first
     * @throws LenoException if the file cannot be read or decoded, or the classifier is closed
     */
    public List<Prediction> predict(Path image) {
        return predict(image, DEFAULT_TOP_K);
    }

    /**
     * Classifies an image file.
     *
     * @param image the file
     * @param k how many classes to return, at least 1
     * @return the {@code k} most probable classes (fewer if the model has fewer), most probable first
     * @throws LenoException if the file cannot be read or decoded, {@code k} is below 1, or the classifier is closed
     */
    public List<Prediction> predict(Path image, int k) {
        return predictBatch(List.of(image), k).get(0);
    }

    /**
     * Classifies an encoded image (the bytes of a PNG, JPEG, ... file).
     *
     * @param encoded the file's bytes
     * @return the {@value #DEFAULT_TOP_K} most probable classes, most probable first
     * @throws LenoException if the bytes are not a decodable image, or the classifier is closed
     */
    public List<Prediction> predict(byte[] encoded) {
        return predict(encoded, DEFAULT_TOP_K);
    }

    /**
     * Classifies an encoded image.
     *
     * @param encoded the file's bytes
     * @param k how many classes to return, at least 1
     * @return the {@code k} most probable classes, most probable first
     * @throws LenoException if the bytes are not a decodable image, {@code k} is below 1, or the classifier is closed
     */
    public List<Prediction> predict(byte[] encoded, int k) {
        return predictBatch(List.of(encoded), k).get(0);
    }

    /**
     * Classifies an image in memory, of any type (grey, RGB, with alpha, 16-bit).
     *
     * @param image the image
     * @return the {@value #DEFAULT_TOP_K} most probable classes, most probable first
     * @throws LenoException if the image is too large, or the classifier is closed
     */
    public List<Prediction> predict(BufferedImage image) {
        return predict(image, DEFAULT_TOP_K);
    }

    /**
     * Classifies an image in memory.
     *
     * @param image the image
     * @param k how many classes to return, at least 1
     * @return the {@code k} most probable classes, most probable first
     * @throws LenoException if the image is too large, {@code k} is below 1, or the classifier is closed
     */
    public List<Prediction> predict(BufferedImage image, int k) {
        return predictBatch(List.of(image), k).get(0);
    }

    /**
     * Classifies several images in one forward pass, preprocessing them in parallel.
     *
     * @param images each a {@link Path}, a {@code byte[]} (an encoded image) or a {@link BufferedImage}
     * @param k how many classes to return per image, at least 1
     * @return per image, in the given order, its {@code k} most probable classes
     * @throws LenoException if an element is of another type or cannot be read (the message names it),
     *     {@code k} is below 1, or the classifier is closed
     */
    public List<List<Prediction>> predictBatch(List<?> images, int k) {
        return Errors.guard(() -> {
            if (k < 1) {
                throw new LenoException("k must be at least 1, got " + k);
            }
            if (core.isClosed()) {
                throw new LenoException("the classifier is closed");
            }
            List<Callable<float[]>> tasks = new ArrayList<>();
            for (int i = 0; i < images.size(); i++) {
                Object image = images.get(i);
                String name = describe(image, i);
                tasks.add(() -> {
                    try (Mat rgb = decode(image, name)) {
                        return core.input(rgb, name);
                    }
                });
            }
            List<PreparedInputs.Prepared> prepared = PreparedInputs.prepare(tasks,
                    images.size() > 1 ? ForkJoinPool.commonPool() : null);
            List<float[]> inputs = new ArrayList<>();
            for (PreparedInputs.Prepared p : prepared) {
                if (!p.ok()) {
                    throw p.error();
                }
                inputs.add(p.input());
            }
            List<List<Prediction>> out = new ArrayList<>();
            for (float[] logits : core.logits(inputs)) {
                out.add(ImageClassifier.topK(logits, k).stream()
                        .map(s -> new Prediction(core.setup().label(s.index()), s.index(), s.probability())).toList());
            }
            return out;
        });
    }

    /**
     * Classifies several images, returning the {@value #DEFAULT_TOP_K} most probable classes of each.
     *
     * @param images each a {@link Path}, a {@code byte[]} or a {@link BufferedImage}
     * @return per image, in the given order, its most probable classes
     * @throws LenoException as {@link #predictBatch(List, int)}
     */
    public List<List<Prediction>> predictBatch(List<?> images) {
        return predictBatch(images, DEFAULT_TOP_K);
    }

    /**
     * Evaluates the model on a folder of labelled images, as {@code leno validate --data folder} does:
     * every image through the validation transform, with the numbers of {@link Evaluation}.
     *
     * @param folder an ImageFolder, {@code folder/<class>/<image>}, whose class names are among the
     *               model's (any subset); images that cannot be read are left out and listed in
     *               {@link Evaluation#unreadable()}
     * @return the evaluation
     * @throws LenoException if the folder has no images, a class the model does not know, none of its
     *     images can be read, or the classifier is closed
     */
    public Evaluation evaluate(Path folder) {
        return evaluate(folder, "none");
    }

    /**
     * As {@link #evaluate(Path)}, averaging each image's logits over test-time augmentations.
     *
     * @param folder an ImageFolder whose class names are among the model's
     * @param tta    {@code "none"}, {@code "flip"} (the centre crop and its mirror), {@code "five-crop"} or
     *               {@code "ten-crop"} (torchvision's FiveCrop and TenCrop of the resized image)
     * @return the evaluation
     * @throws LenoException as {@link #evaluate(Path)}, or if {@code tta} is none of those or the
     *     model's crop is larger than its resize (no corner crops to take)
     */
    public Evaluation evaluate(Path folder, String tta) {
        return Errors.guard(() -> {
            if (core.isClosed()) {
                throw new LenoException("the classifier is closed");
            }
            Tta mode = Tta.parse(tta);
            Evaluator evaluator = new Evaluator(core, mode, EVALUATION_BATCH, ForkJoinPool.commonPool());
            EvaluationData data = EvaluationData.imageFolder(folder, core.decoder().maxPixels());
            InferenceSetup s = core.setup();
            ClassMapping classes = ClassMapping.of(data.source().classes(), s.classNames(), s.model().nClasses(),
                    data.description());
            Evaluator.Result result = evaluator.run(data.source(), classes, new Evaluator.Listener() { });
            return new Evaluation(result, new EvaluationSummary.Context(source.toString(), data.description(), null, mode,
                    EVALUATION_BATCH, List.of(), s.card().toMap()));
        });
    }

    /**
     * Writes the model's weights with its model card (class names, preprocessing) as a safetensors
     * file, which {@link #load(Path)} reads back: the form to ship a model to where it serves.
     *
     * @param file the file to write (replaced atomically if it exists)
     * @throws LenoException if the file cannot be written, or the classifier is closed
     */
    public void save(Path file) {
        Errors.run(() -> {
            ModelCard card = core.setup().card();
            synchronized (core) {
                if (core.isClosed()) {
                    throw new LenoException("the classifier is closed");
                }
                try (NativeScope scope = NativeScope.open()) {
                    SafeTensors.write(file, StateDict.lazy(core.network()), ModelFile.safetensorsMetadata(card));
                }
            }
        });
    }

    /** Releases the model's native memory; waits for a forward pass in progress. Closing twice is harmless. */
    @Override
    public void close() {
        core.close();
    }

    private Mat decode(Object image, String name) {
        if (image instanceof Path p) {
            return core.decoder().decode(p);
        }
        if (image instanceof byte[] b) {
            return core.decoder().decode(b, name);
        }
        if (image instanceof BufferedImage b) {
            return BufferedImages.toRgb(b, core.decoder().maxPixels());
        }
        throw new LenoException(name + " is a " + (image == null ? "null" : image.getClass().getName())
                + ", not a Path, byte[] or BufferedImage");
    }

    private static String describe(Object image, int index) {
        if (image instanceof Path p) {
            return p.toString();
        }
        return "image " + index + (image instanceof byte[] ? " (bytes)" : image instanceof BufferedImage ? " (BufferedImage)" : "");
    }
}
