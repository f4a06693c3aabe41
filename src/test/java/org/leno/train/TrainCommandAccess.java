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
