package org.leno.internal.model;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reference's measured facts, copied from shared/reference into the test resources. */
final class ReferenceTables {
    record ModelRow(String model, long params, int stateDictEntries, String blocksPerStage, int conv2d,
                    int batchnorm2d, long macs224, long macs32, List<Integer> transitionBlocks) {}

    record ShapeRow(String key, String shape, long numel, String dtype, String kind) {}

    private ReferenceTables() {
    }

    static String text(String name) {
        try (InputStream in = ReferenceTables.class.getResourceAsStream("/reference/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource reference/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, ModelRow> models() {
        Map<String, ModelRow> out = new LinkedHashMap<>();
        List<String> lines = text("models.tsv").lines().toList();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            List<Integer> transitions = new ArrayList<>();
            for (String t : f[8].split(",")) {
                transitions.add(Integer.parseInt(t));
            }
            out.put(f[0], new ModelRow(f[0], Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3],
                    Integer.parseInt(f[4]), Integer.parseInt(f[5]), Long.parseLong(f[6]), Long.parseLong(f[7]),
                    transitions));
        }
        return out;
    }

    static List<ShapeRow> shapes(String model) {
        List<String> lines = text(model + "_state_dict_shapes.tsv").lines().toList();
        List<ShapeRow> out = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            out.add(new ShapeRow(f[0], f[1], Long.parseLong(f[2]), f[3], f[4]));
        }
        return out;
    }
}
