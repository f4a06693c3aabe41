package org.leno.internal.config;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** A file of flag values: a JSON object (an args.json) or a YAML mapping, keyed as args.json. */
public final class ConfigFile {
    private ConfigFile() {
    }

    /** The file's keys and values, in file order; any problem is one line naming the file. */
    public static Map<String, Object> read(Path file) {
        String name = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        ObjectMapper mapper = name.endsWith(".yaml") || name.endsWith(".yml") ? new ObjectMapper(new YAMLFactory())
                : new ObjectMapper();
        Object root;
        try {
            root = mapper.readValue(Files.readAllBytes(file), Object.class);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("--config " + file + ": no such file");
        } catch (JacksonException e) {
            throw new IllegalArgumentException("--config " + file + ": not valid " + (mapper.getFactory() instanceof YAMLFactory
                    ? "YAML" : "JSON") + " (" + e.getOriginalMessage() + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException("--config " + file + ": cannot read (" + e.getMessage() + ")");
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("--config " + file + ": expected an object of flag values");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }
}
