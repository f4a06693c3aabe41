package org.leno.api;

/**
 * One class of a prediction.
 *
 * @param label the class name recorded with the model (the class index as text when none was recorded)
 * @param index the class index, from 0
 * @param probability the softmax probability of the class, in [0, 1]
 */
public record Prediction(String label, int index, double probability) {
}
