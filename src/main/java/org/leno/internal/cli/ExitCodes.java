package org.leno.internal.cli;

import org.leno.internal.train.TrainingOutcome;

/** The exit code of a training run's outcome, as the reference's shell sees it: 130 and 143 as a shell reports SIGINT and SIGTERM. */
final class ExitCodes {
    static final int DIVERGED = 1;
    static final int SIGINT = 130;
    static final int SIGTERM = 143;

    private ExitCodes() {
    }

    /** 0 completed; 1 a non-finite loss; 143 stopped by SIGTERM; 130 by SIGINT or a listener. */
    static int of(TrainingOutcome outcome) {
        if (outcome instanceof TrainingOutcome.Completed) {
            return 0;
        }
        if (outcome instanceof TrainingOutcome.Diverged) {
            return DIVERGED;
        }
        if (outcome instanceof TrainingOutcome.StoppedBySignal s && s.signal().equals("SIGTERM")) {
            return SIGTERM;
        }
        return SIGINT;
    }
}
