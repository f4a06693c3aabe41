package org.leno.internal.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.predict.FoldedForward;
import org.leno.internal.predict.ImageClassifier;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.predict.PreparedInputs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "predict", modelTransformer = ModelOptions.class,
        description = {"Classify images with a trained model (eval mode, validation transform).",
                "A run folder or a checkpoint of leno train needs no model or transform flag: its model card names "
                        + "the model, the classes and the transform. Flags given still win over the card."})
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--topk", defaultValue = "5", description = "How many top classes to print (default: ${DEFAULT-VALUE}).")
    int topk;

    @Option(names = "--json", description = "Print one JSON object per image per line: file, logits, topk (index, label, prob).")
    boolean json;

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(32);

    @Mixin
    WorkersOption decoders = new WorkersOption(4);

    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--amp", defaultValue = "none", paramLabel = "none|bf16",
            description = "bf16: weights and activations in bfloat16 (about twice as fast on a CPU with avx512_bf16 or AMX, "
                    + "slower without; logits differ from float32's by about 1%%, see docs/inference.md). Default: ${DEFAULT-VALUE}.")
    String amp;

    @Mixin
    ModelFileOptions model = new ModelFileOptions();

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR",
            description = "Image files, or folders whose image files (sub-folders included) are classified in path order.")
    List<Path> images;

    private final ObjectMapper mapper = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        if (topk < 1 || batch.batchSize < 1 || decoders.workers < 0) {
            throw new IllegalArgumentException("--topk and --batch-size must be at least 1 and --workers not negative");
        }
        FoldedForward.Precision precision = precision(amp);
        List<Path> files = PredictInputs.expand(images);
        threads.apply();
        ModelFile file = model.read();
        ExecutorService pool = decoders.workers == 0 ? null : Executors.newFixedThreadPool(decoders.workers, r -> {
            Thread t = new Thread(r, "leno-predict");
            t.setDaemon(true);
            return t;
        });
        try (ImageClassifier classifier = ImageClassifier.open(file, model.overrides(),
                imageLimit.maxImagePixels(), precision)) {
            int done = 0;
            List<RuntimeException> skipped = new ArrayList<>();
            PreparedInputs.Pending next = PreparedInputs.submit(tasks(classifier, chunk(files, 0)), pool);
            for (int from = 0; from < files.size(); from += batch.batchSize) {
                PreparedInputs.Pending current = next;
                int following = from + batch.batchSize;
                next = following < files.size() ? PreparedInputs.submit(tasks(classifier, chunk(files, following)), pool) : null;
                done += classify(classifier, chunk(files, from), current.get(), files.size() > 1, skipped);
            }
            if (done == 0) {
                throw new IllegalArgumentException("none of the " + files.size() + " images could be read (first: "
                        + Main.oneLine(skipped.get(0)) + ")");
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        return 0;
    }

    /**
     * Classifies one batch and prints its results in order; an image that cannot be read is reported
     * on stderr and skipped when there are several ({@code many}), else its error ends the command.
     */
    private int classify(ImageClassifier classifier, List<Path> chunk, List<PreparedInputs.Prepared> prepared, boolean many,
                         List<RuntimeException> skipped) throws IOException {
        List<float[]> inputs = new ArrayList<>();
        for (PreparedInputs.Prepared p : prepared) {
            if (p.ok()) {
                inputs.add(p.input());
            } else if (!many) {
                throw p.error();
            } else {
                skipped.add(p.error());
                System.err.println("leno predict: skipped " + Main.oneLine(p.error()));
            }
        }
        float[][] logits = classifier.logits(inputs);
        int k = 0;
        for (int i = 0; i < chunk.size(); i++) {
            if (prepared.get(i).ok()) {
                print(classifier, chunk.get(i), logits[k++], many);
            }
        }
        return k;
    }

    /** The batch of {@code files} that starts at {@code from}. */
    private List<Path> chunk(List<Path> files, int from) {
        return files.subList(from, Math.min(files.size(), from + batch.batchSize));
    }

    private static List<Callable<float[]>> tasks(ImageClassifier classifier, List<Path> chunk) {
        ImageDecoder decoder = classifier.decoder();
        List<Callable<float[]>> tasks = new ArrayList<>();
        for (Path image : chunk) {
            tasks.add(() -> {
                try (Mat rgb = decoder.decode(image)) {
                    return classifier.input(rgb, image.toString());
                }
            });
        }
        return tasks;
    }

    /** One image's lines: "97.12%  Ankle boot" per class (under its path when there are several), or a JSON line. */
    private void print(ImageClassifier classifier, Path image, float[] logits, boolean withPath) throws IOException {
        List<ImageClassifier.Scored> top = ImageClassifier.topK(logits, topk);
        if (json) {
            List<Map<String, Object>> entries = new ArrayList<>();
            for (ImageClassifier.Scored s : top) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("index", s.index());
                m.put("label", classifier.setup().label(s.index()));
                m.put("prob", s.probability());
                entries.add(m);
            }
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("file", image.toString());
            line.put("logits", logits);
            line.put("topk", entries);
            System.out.println(mapper.writeValueAsString(line));
            return;
        }
        StringBuilder text = new StringBuilder(withPath ? image + System.lineSeparator() : "");
        for (ImageClassifier.Scored s : top) {
            text.append(String.format("%s%5.2f%%  %s%n", withPath ? "  " : "", 100 * s.probability(),
                    classifier.setup().label(s.index())));
        }
        System.out.print(text);
    }

    static FoldedForward.Precision precision(String amp) {
        return switch (amp) {
            case "none" -> FoldedForward.Precision.FP32;
            case "bf16" -> FoldedForward.Precision.BF16;
            default -> throw new IllegalArgumentException("--amp " + amp + ": expected none or bf16");
        };
    }
}
