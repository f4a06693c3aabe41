/**
 * Evaluation of a trained model on labelled images ({@code leno validate}, {@code Classifier.evaluate}):
 * the run over a data set with optional test-time augmentation ({@link org.leno.evaluate.Evaluator},
 * {@link org.leno.evaluate.Tta}), the metrics computed from each image's logits
 * ({@link org.leno.evaluate.EvaluationMetrics}), and the files and figures written from them
 * ({@link org.leno.evaluate.EvaluationFiles}). Sits above {@code predict} and {@code data}; knows nothing of the CLI.
 */
package org.leno.evaluate;
