package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;

/** Runs a Trainer in this JVM that is interrupted (stopped as by a signal, or killed) when it prints a given line. */
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
        try {
            run(results, trigger, flags, (trainer, line) -> {
                throw new Killed(line);
            });
            throw new AssertionError("the run never printed " + trigger);
        } catch (Killed expected) {
            // as intended
        }
    }

    /** A run that gets SIGTERM's stop request when it prints {@code trigger}; it must exit as SIGTERM asks. */
    static void stopAtLine(Path results, String trigger, List<String> flags) {
        TrainingOutcome s = stopped(results, trigger, flags, "SIGTERM");
        assertThat(s).isEqualTo(new TrainingOutcome.StoppedBySignal("SIGTERM", s.message()));
    }

    /** One epoch of {@code flags}, stopped by SIGINT's request at {@code trigger}: after batch 2 of epoch 0. */
    static void stopAfterLine(Path results, String trigger, String[] flags) {
        List<String> args = new ArrayList<>(List.of("--epochs", "1"));
        args.addAll(Arrays.asList(flags));
        TrainingOutcome s = stopped(results, trigger, args, "SIGINT");
        assertThat(s).isInstanceOf(TrainingOutcome.StoppedBySignal.class);
        assertThat(s.message()).contains("stopped by SIGINT after batch 2 of epoch 0");
    }

    private static TrainingOutcome stopped(Path results, String trigger, List<String> flags, String signal) {
        TrainingOutcome outcome = run(results, trigger, flags, (trainer, line) -> trainer.signal(signal));
        if (outcome instanceof TrainingOutcome.Completed) {
            throw new AssertionError("the run was not stopped at " + trigger);
        }
        return outcome;
    }

    private static TrainingOutcome run(Path results, String trigger, List<String> flags, BiConsumer<Trainer, String> atTrigger) {
        List<String> args = new ArrayList<>(List.of("--result_path", results.toString()));
        args.addAll(flags);
        TrainConfig cfg = TrainConfigResolver.parse(args.toArray(String[]::new));
        Trainer[] holder = new Trainer[1];
        PrintStream out = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8) {
            @Override
            public void println(String line) {
                super.println(line);
                if (line.startsWith(trigger)) {
                    atTrigger.accept(holder[0], line);
                }
            }
        };
        holder[0] = new Trainer(cfg, null, Map.of("test", true), out);
        return holder[0].run();
    }
}
