package org.leno.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.leno.data.ImageDecoder;
import org.leno.data.ValTransform;
import org.leno.model.ModelWeights;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.model.ResidualNetwork;
import org.leno.nn.NativeScope;
import org.leno.nn.Natives;
import org.leno.nn.Tensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(mixinStandardHelpOptions = true, name = "predict", modelTransformer = ModelOptions.class, description = "Classify images with a trained model (eval mode, validation transform).")
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--weights", required = true,
            description = "State dict or checkpoint: torch.save file (ours or PyTorch's) or .safetensors.")
    Path weights;

    @Option(names = "--ema", description = "Use the checkpoint's weight average (model_ema, from train --model-ema).")
    boolean ema;

    @Option(names = {"--val_resize", "--val-resize"}, defaultValue = "256",
            description = "Resize the shorter side to this (default: ${DEFAULT-VALUE}).")
    int valResize;

    @Option(names = {"--val_crop_size", "--val-crop-size"}, defaultValue = "224",
            description = "Centre crop size (default: ${DEFAULT-VALUE}).")
    int valCrop;

    @Option(names = "--topk", defaultValue = "5", description = "How many top classes to print (default: ${DEFAULT-VALUE}).")
    int topk;

    @Option(names = {"--class-names", "--class_names"},
            description = "Text file with one class name per line, in class-index order.")
    Path classNames;

    @Option(names = "--json", description = "Print one JSON object per image per line: file, logits, topk.")
    boolean json;

    @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (default: all cores).")
    int threads;

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Image files.")
    List<Path> images;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = ModelOptions.config(spec);
        if (topk < 1) {
            throw new IllegalArgumentException("--topk must be at least 1, got " + topk);
        }
        List<String> names = classNames == null ? List.of() : readClassNames(classNames, config.nClasses());
        ValTransform transform = ValTransform.of(valResize, valCrop);
        ImageDecoder decoder = imageLimit.decoder();
        Natives.threads(threads);
        ObjectMapper mapper = new ObjectMapper();
        try (ResidualNetwork net = ModelRegistry.create(config)) {
            ModelWeights.load(net, weights, ema);
            net.eval();
            for (Path image : images) {
                float[] input;
                try (Mat rgb = decoder.decode(image)) {
                    input = transform.apply(rgb);
                }
                float[] logits;
                try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
                    Tensor x = Tensors.fromFloats(input, 1, 3, valCrop, valCrop);
                    logits = Tensors.floats(net.forward(x));
                }
                List<Map<String, Object>> top = topK(logits, Math.min(topk, logits.length));
                if (json) {
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("file", image.toString());
                    line.put("logits", logits);
                    line.put("topk", top);
                    System.out.println(mapper.writeValueAsString(line));
                } else {
                    System.out.println(image);
                    for (Map<String, Object> t : top) {
                        int index = (Integer) t.get("index");
                        System.out.printf("  %6.2f%%  %d%s%n", 100 * (Double) t.get("prob"), index,
                                index < names.size() ? "  " + names.get(index) : "");
                    }
                }
            }
        }
        return 0;
    }

    static List<Map<String, Object>> topK(float[] logits, int k) {
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
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i : order.subList(0, k)) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("index", i);
            m.put("prob", e[i] / sum);
            out.add(m);
        }
        return out;
    }

    static List<String> readClassNames(Path file, int nClasses) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--class-names " + file + ": no such file");
        }
        List<String> names = Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
        if (names.size() != nClasses) {
            throw new IllegalArgumentException("--class-names " + file + " has " + names.size()
                    + " names, the model has " + nClasses + " classes");
        }
        return names;
    }
}
