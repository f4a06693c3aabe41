package org.leno.internal.train;

/**
 * How a run ended: it completed, its loss diverged, a signal stopped it, or a listener (or a caller
 * of {@link Trainer#requestStop}) did. A stopped run has saved a resumable checkpoint; a diverged one
 * saved nothing after its last good checkpoint. Only the command line turns an outcome into an exit code.
 */
public sealed interface TrainingOutcome {
    /** One line on how the run ended; empty when it completed. */
    String message();

    /** Every epoch ran (or, with --evaluate, the evaluation did). */
    record Completed() implements TrainingOutcome {
        @Override
        public String message() {
            return "";
        }
    }

    /** The loss of batch {@code batch} of epoch {@code epoch} was not finite. */
    record Diverged(int epoch, int batch, double loss, String message) implements TrainingOutcome {}

    /** SIGINT or SIGTERM ({@code signal}) asked the run to stop. */
    record StoppedBySignal(String signal, String message) implements TrainingOutcome {}

    /** A listener asked the run to stop, naming {@code reason}. */
    record StoppedByListener(String reason, String message) implements TrainingOutcome {}
}
