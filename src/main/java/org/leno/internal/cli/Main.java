package org.leno.internal.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import org.leno.internal.data.decode.UnreadableImageException;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.nn.Natives;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "leno", mixinStandardHelpOptions = true, version = "leno 0.1.0",
        description = "Train, evaluate and study very deep residual networks (ResNet, pre-act ResNet, LeNo-ResNet).",
        subcommands = {TrainCommand.class, CompareCommand.class, InfoCommand.class, PredictCommand.class, ValidateCommand.class, ServeCommand.class, ExportCommand.class, GradnormCommand.class, PlotCommand.class, ReportCommand.class,
                BenchCommand.class, WarmCommand.class, DoctorCommand.class})
public final class Main implements Runnable {

    @Override
    public void run() {
        new CommandLine(this).usage(System.out);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 ok, 1 failure, 2 bad flags. */
    public static int run(String... args) {
        Natives.unpack();
        CommandLine cli = new CommandLine(new Main());
        cli.setOverwrittenOptionsAllowed(true); // as argparse: a flag given twice takes the last value
        cli.setCaseInsensitiveEnumValuesAllowed(true); // --auto-augment TA_WIDE or ta_wide, --interpolation BICUBIC
        cli.registerConverter(Path.class, RawArguments.of(args)::toPath); // file names that are not valid UTF-8
        cli.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("leno " + ex.getCommandLine().getCommandName() + ": " + ex.getMessage()
                    + " (see --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            commandLine.getErr().println("leno " + commandLine.getCommandName() + ": error: " + oneLine(ex));
            if (System.getenv("LENO_DEBUG") != null) {
                ex.printStackTrace(commandLine.getErr());
            }
            return 1;
        });
        return cli.execute(args);
    }

    static String oneLine(Throwable ex) {
        Throwable t = ex;
        if (!(t instanceof InterchangeException || t instanceof UnreadableImageException
                || t instanceof IllegalArgumentException || t instanceof org.leno.internal.distributed.DistributedException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        String m = t.getMessage();
        if (m == null || m.isBlank()) {
            m = t.getClass().getSimpleName();
        } else if (!(t instanceof InterchangeException || t instanceof UnreadableImageException
                || t instanceof IllegalArgumentException || t instanceof org.leno.internal.distributed.DistributedException)) {
            m = t.getClass().getSimpleName() + ": " + m;
        }
        return m.lines().findFirst().orElse(m);
    }
}
