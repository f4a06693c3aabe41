/**
 * Evaluation of a trained model on labelled images ({@code leno validate}, {@code Classifier.evaluate}):
 * the run over a data set with optional test-time augmentation ({@link org.leno.internal.evaluate.Evaluator},
 * {@link org.leno.internal.evaluate.Tta}), the metrics computed from each image's logits
 * ({@link org.leno.internal.evaluate.EvaluationMetrics}), and the files and figures written from them
 * ({@link org.leno.internal.evaluate.EvaluationFiles}). Sits above {@code predict} and {@code data}; knows nothing of the CLI.
 */
package org.leno.internal.evaluate;
