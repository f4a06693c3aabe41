package org.leno.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Runs a Trainer that gets a stop request (as from SIGINT) when it prints a given line. */
final class TrainCommandAccess {
    private TrainCommandAccess() {
    }

    /** What a kill -9 at a given line leaves: the process dies there, nothing is saved on the way out. */
    static final class Killed extends RuntimeException {
        Killed(String line) {
            super("killed at " + line);
        }
    }

    /** A run with {@code flags} (all of them: epochs included) that dies, without saving, when it prints {@code trigger}. */
    static void killAtLine(Path results, String trigger, List<String> flags) {
        List<String> args = new ArrayList<>(List.of("--result_path", results.toString()));
        args.addAll(flags);
        TrainConfig cfg = org.leno.cli.TrainCommandConfig.parse(args.toArray(String[]::new));
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                super.println(line);
                if (line.startsWith(trigger)) {
                    throw new Killed(line);
                }
            }
        };
        try {
            new Trainer(cfg, null, java.util.Map.of("test", true), out).run();
            throw new AssertionError("the run never printed " + trigger);
        } catch (Killed expected) {
            // as intended
        }
    }

    /** As {@link #stopAfterLine(Path, String, String[])}, for a stop that lands anywhere (the message is not checked). */
    static void stopAtLine(Path results, String trigger, List<String> flags) {
        List<String> args = new ArrayList<>(List.of("--result_path", results.toString()));
        args.addAll(flags);
        TrainConfig cfg = org.leno.cli.TrainCommandConfig.parse(args.toArray(String[]::new));
        Trainer[] holder = new Trainer[1];
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                super.println(line);
                if (line.startsWith(trigger)) {
                    holder[0].requestStop("SIGTERM");
                }
            }
        };
        holder[0] = new Trainer(cfg, null, java.util.Map.of("test", true), out);
        try {
            holder[0].run();
            throw new AssertionError("the run was not stopped at " + trigger);
        } catch (Trainer.Stopped s) {
            assertThat(s.exitCode()).isEqualTo(143);
        }
    }

    static void stopAfterLine(Path results, String trigger, String[] flags) {
        List<String> args = new ArrayList<>(List.of("--result_path", results.toString(), "--epochs", "1"));
        args.addAll(Arrays.asList(flags));
        TrainConfig cfg = org.leno.cli.TrainCommandConfig.parse(args.toArray(String[]::new));
        Trainer[] holder = new Trainer[1];
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(sink, true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                super.println(line);
                if (line.startsWith(trigger)) {
                    holder[0].requestStop("SIGINT");
                }
            }
        };
        holder[0] = new Trainer(cfg, null, java.util.Map.of("test", true), out);
        try {
            holder[0].run();
            throw new AssertionError("the run was not stopped; output:\n" + sink);
        } catch (Trainer.Stopped s) {
            assertThat(s.exitCode()).isEqualTo(130);
            assertThat(s.getMessage()).contains("stopped by SIGINT after batch 2 of epoch 0");
        }
    }
}
