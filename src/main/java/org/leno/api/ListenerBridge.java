package org.leno.api;

import java.util.function.BooleanSupplier;
import org.leno.internal.train.TrainingListener.EpochEvent;
import org.leno.internal.train.TrainingListener.StepEvent;

/**
 * Passes the trainer's step and epoch events to an API {@link TrainingListener}, and its answer back: a
 * {@code false} or an exception stops the run (after the current update, with a resumable checkpoint);
 * the exception is kept for {@link Training#run()} to report.
 */
final class ListenerBridge implements org.leno.internal.train.TrainingListener { // same simple name as ours: not importable
    private final TrainingListener listener;
    private RuntimeException failure;

    ListenerBridge(TrainingListener listener) {
        this.listener = listener;
    }

    @Override
    public void onStep(StepEvent s, Control run) {
        answer(() -> listener.onStep(new TrainingListener.StepMetrics(s.epoch(), s.step(), s.stepsInEpoch(), s.loss(),
                s.lr(), s.imagesPerSecond())), run);
    }

    @Override
    public void onEpoch(EpochEvent e, Control run) {
        answer(() -> listener.onEpoch(new TrainingListener.EpochMetrics(e.epoch(), e.train().loss(), e.train().acc1(),
                e.val().loss(), e.val().acc1(), e.val().acc5(), e.bestAcc1(), e.best(), e.seconds())), run);
    }

    private void answer(BooleanSupplier call, Control run) {
        if (failure != null) {
            return;
        }
        try {
            if (!call.getAsBoolean()) {
                run.requestStop("Training.stop()");
            }
        } catch (RuntimeException e) {
            failure = e;
            run.requestStop("the training listener's failure");
        }
    }

    /** The listener's exception, or null. */
    RuntimeException failure() {
        return failure;
    }
}
