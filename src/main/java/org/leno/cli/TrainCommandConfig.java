package org.leno.cli;

import org.leno.train.TrainConfig;

/** Parses `leno train` flags into a TrainConfig without running anything (for embedding and tests). */
public final class TrainCommandConfig {
    private TrainCommandConfig() {
    }

    public static TrainConfig parse(String... args) {
        return TrainCommand.config(args);
    }
}
