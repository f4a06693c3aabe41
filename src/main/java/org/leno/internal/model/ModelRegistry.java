package org.leno.internal.model;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** Models by architecture and depth, from the families that {@link Arch} registers. */
public final class ModelRegistry {

    private ModelRegistry() {
    }

    public static TreeSet<Integer> depths(Arch arch) {
        return new TreeSet<>(arch.depthTable().keySet());
    }

    /** Blocks per stage for arch + depth; an unknown pair is an error listing the valid depths. */
    public static int[] blocksPerStage(Arch arch, int depth) {
        return Optional.ofNullable(arch.depthTable().get(depth)).map(int[]::clone).orElseThrow(() ->
                new IllegalArgumentException("no " + arch.id() + " of depth " + depth + "; valid depths: "
                        + depths(arch).stream().map(String::valueOf).collect(Collectors.joining(", "))));
    }

    public static Arch arch(String id) {
        return Arch.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown arch '" + id
                + "'; valid: " + String.join(", ", Arch.ids())));
    }

    public static ResidualNetwork create(ModelConfig config) {
        int[] blocks = blocksPerStage(config.arch(), config.depth());
        return config.arch().constructor().create(config, blocks);
    }

    /** All (arch, depth) pairs, in table order. */
    public static Map<String, ModelConfig> all(int nClasses) {
        Map<String, ModelConfig> out = new TreeMap<>();
        for (Arch a : Arch.values()) {
            for (int d : depths(a)) {
                ModelConfig c = ModelConfig.of(a, d, nClasses);
                out.put(c.name(), c);
            }
        }
        return out;
    }
}
