package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.leno.internal.train.TrainingOutcome;

/** Only the command line turns a run's outcome into an exit code: as the reference's shell reports it. */
class ExitCodesTest {
    @Test
    void eachOutcomeHasItsExitCode() {
        assertThat(ExitCodes.of(new TrainingOutcome.Completed())).isZero();
        assertThat(ExitCodes.of(new TrainingOutcome.Diverged(2, 5, Double.NaN, "loss is NaN"))).isEqualTo(1);
        assertThat(ExitCodes.of(new TrainingOutcome.StoppedBySignal("SIGTERM", "stopped"))).isEqualTo(143);
        assertThat(ExitCodes.of(new TrainingOutcome.StoppedBySignal("SIGINT", "stopped"))).isEqualTo(130);
        assertThat(ExitCodes.of(new TrainingOutcome.StoppedByListener("listener", "stopped"))).isEqualTo(130);
    }
}
