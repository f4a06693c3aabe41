package example;

import java.nio.file.Path;
import java.util.Locale;
import org.leno.api.Classifier;
import org.leno.api.LenoException;
import org.leno.api.Prediction;

/** Classifies images with a model trained by `leno train`: one line per image, image TAB class name TAB probability. */
public final class Classify {
    public static void main(String[] args) {
        if (args.length < 2) {
            System.err.println("usage: Classify RUN_DIR|CHECKPOINT IMAGE...");
            System.exit(2);
        }
        try (Classifier classifier = Classifier.load(Path.of(args[0]))) {
            for (int i = 1; i < args.length; i++) {
                Prediction best = classifier.predict(Path.of(args[i]), 1).get(0);
                System.out.printf(Locale.ROOT, "%s\t%s\t%.4f%n", args[i], best.label(), best.probability());
            }
        } catch (LenoException e) {
            System.err.println("classify: " + e.getMessage());
            System.exit(1);
        }
    }
}
