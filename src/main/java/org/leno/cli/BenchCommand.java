package org.leno.cli;

import picocli.CommandLine.Command;

@Command(mixinStandardHelpOptions = true, name = "bench", description = "Benchmarks: the input pipeline (data) and the training step (model).",
        subcommands = {BenchDataCommand.class, BenchModelCommand.class, BenchValTransformCommand.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }
}
