package org.leno.internal.cli;

import picocli.CommandLine.Option;

/** {@code -b, --batch-size}, with each command's own default (the field's initial value). */
final class BatchSizeOption {
    @Option(names = {"-b", "--batch-size"}, description = "Images per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    BatchSizeOption(int batchSize) {
        this.batchSize = batchSize;
    }
}
