package org.leno.internal.predict;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;
import org.leno.internal.model.Arch;
import org.leno.internal.nn.Natives;

/**
 * A benchmark, not a test: {@code leno predict}'s forward alone (random input, batch 32 by default),
 * as {@link org.leno.internal.export.OrtModelRate} times ONNX Runtime, for docs/inference.md. Prints
 * {"images_per_s": ...}, the median of the timed batches.
 * Usage: ForwardRate WEIGHTS ARCH DEPTH fp32|bf16 [BATCH] [RUNS] [THREADS]
 */
public final class ForwardRate {
    private ForwardRate() {
    }

    public static void main(String[] args) {
        Path weights = Path.of(args[0]);
        Arch arch = Arch.byId(args[1]).orElseThrow();
        int depth = Integer.parseInt(args[2]);
        FoldedForward.Precision precision = FoldedForward.Precision.valueOf(args[3].toUpperCase(Locale.ROOT));
        int batch = args.length > 4 ? Integer.parseInt(args[4]) : 32;
        int runs = args.length > 5 ? Integer.parseInt(args[5]) : 5;
        Natives.load();
        Natives.threads(args.length > 6 ? Integer.parseInt(args[6]) : 2);
        Overrides overrides = new Overrides(Optional.of(arch), OptionalInt.of(depth), OptionalInt.empty(), OptionalInt.empty(),
                OptionalInt.empty(), Optional.empty());
        try (ImageClassifier classifier = ImageClassifier.open(ModelFile.read(weights, false), overrides, Long.MAX_VALUE,
                precision)) {
            int crop = classifier.setup().transform().crop();
            SplittableRandom random = new SplittableRandom(0);
            List<float[]> inputs = new ArrayList<>();
            for (int i = 0; i < batch; i++) {
                float[] x = new float[3 * crop * crop];
                for (int k = 0; k < x.length; k++) {
                    x[k] = (float) (random.nextDouble() * 4 - 2);
                }
                inputs.add(x);
            }
            classifier.logits(inputs);
            double[] rates = new double[runs];
            for (int r = 0; r < runs; r++) {
                long start = System.nanoTime();
                classifier.logits(inputs);
                rates[r] = batch / ((System.nanoTime() - start) / 1e9);
            }
            Arrays.sort(rates);
            System.out.printf("{\"images_per_s\": %.3f}%n", rates[runs / 2]);
        }
    }
}
