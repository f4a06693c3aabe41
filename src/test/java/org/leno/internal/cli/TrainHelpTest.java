package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.leno.internal.testing.Cli;
import picocli.CommandLine;

/** `leno train`'s help, one section per configuration record, and a bad flag's one-line error. */
class TrainHelpTest {
    @Test
    void helpShowsOneSectionPerConcernWithBothDefaults() {
        String help = new CommandLine(new TrainCommand()).getUsageMessage(CommandLine.Help.Ansi.OFF);
        assertThat(help).contains("Model:", "Data:", "Augmentation", "Optimizer:", "Learning-rate schedule:",
                "Checkpoints and results:", "Runtime:", "Distributed:", "Reference flags without effect:");
        assertThat(help).contains("Total epochs to run. (default: 90; quick start: 10)");
        assertThat(help.indexOf("Model:")).isLessThan(help.indexOf("--model_depth")).isLessThan(help.indexOf("Data:"));
        assertThat(help).contains("--nesterov  ").contains("--[no-]channels-last").contains("--lr_steps, --lr-steps=N...").doesNotContain("PARAM");
        assertThat(help).contains("--config=FILE");
    }

    @Test
    void aRefusedReferenceFlagIsOneLineAndExitCode1() {
        Cli.Result r = Cli.run("train", "--pretrained", "--epochs", "1");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(r.err().strip().lines().count()).isEqualTo(1);
    }
}
