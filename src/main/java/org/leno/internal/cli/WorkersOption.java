package org.leno.internal.cli;

import picocli.CommandLine.Option;

/** {@code -j, --workers}: the threads that decode images, with each command's own default (the field's initial value). */
final class WorkersOption {
    @Option(names = {"-j", "--workers"}, description = "Threads decoding images (default: ${DEFAULT-VALUE}).")
    int workers;

    WorkersOption(int workers) {
        this.workers = workers;
    }
}
