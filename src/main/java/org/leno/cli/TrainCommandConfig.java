package org.leno.cli;

import org.leno.train.TrainConfig;
import picocli.CommandLine;

/** Parses `leno train` flags into a TrainConfig without running anything (for embedding and tests). */
public final class TrainCommandConfig {
    private TrainCommandConfig() {
    }

    public static TrainConfig parse(String... args) {
        TrainCommand command = new TrainCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }
}
