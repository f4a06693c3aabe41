package org.leno.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code --json}: a benchmark's figures as one JSON line instead of the text. */
final class JsonOption {
    @Option(names = "--json", description = "Print one JSON line of the figures (snake_case keys) instead of the text.")
    boolean json;

    boolean enabled() {
        return json;
    }

    /** Prints {@code fields} as one JSON line. */
    static void print(Map<String, ?> fields) throws JsonProcessingException {
        System.out.println(new ObjectMapper().writeValueAsString(fields));
    }
}
