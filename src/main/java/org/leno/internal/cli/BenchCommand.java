package org.leno.internal.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(mixinStandardHelpOptions = true, name = "bench", description = "Benchmarks: the input pipeline (data), the training step (model) and the machine's peak (gemm).",
        subcommands = {BenchDataCommand.class, BenchModelCommand.class, BenchGemmCommand.class, BenchValTransformCommand.class})
final class BenchCommand implements Runnable {
    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }
}
