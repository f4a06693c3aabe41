/**
 * LeNo's library API: classify images with a trained model, evaluate it on a folder of labelled
 * images ({@link org.leno.api.Classifier#evaluate}), train from code, and compute the gradient-norm
 * ratios of the paper. This is the only package meant for use from other code;
 * everything else in the jar may change without notice.
 *
 * <p>Every failure is reported as a {@link org.leno.api.LenoException} (unchecked) whose message
 * is one line naming the file, image or value at fault. Nothing reachable through this package
 * stops the JVM.
 *
 * <pre>{@code
 * try (Classifier classifier = Classifier.load(Path.of("results"))) {
 *     Prediction best = classifier.predict(Path.of("shoe.png")).get(0);
 *     System.out.println(best.label() + " " + best.probability());
 * }
 * }</pre>
 */
package org.leno.api;
