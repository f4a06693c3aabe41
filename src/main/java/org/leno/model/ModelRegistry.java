package org.leno.model;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/** The one place that maps an architecture and a depth to a model. */
public final class ModelRegistry {

    @FunctionalInterface
    private interface Constructor {
        ResidualNetwork create(ModelConfig config, int[] blocksPerStage);
    }

    private static final Map<Integer, int[]> COMMON_DEPTHS = Map.of(
            50, new int[] {3, 4, 6, 3},
            101, new int[] {3, 4, 23, 3},
            152, new int[] {3, 8, 36, 3},
            200, new int[] {3, 24, 36, 3});

    private static final Map<Integer, int[]> LENO_DEPTHS = Map.of(
            50, new int[] {3, 4, 6, 3},
            101, new int[] {3, 4, 23, 3},
            152, new int[] {3, 8, 36, 3},
            200, new int[] {3, 24, 36, 3},
            401, new int[] {4, 45, 80, 4},
            500, new int[] {4, 56, 102, 4});

    private ModelRegistry() {
    }

    private static Map<Integer, int[]> table(Arch arch) {
        return arch == Arch.LENORESNET ? LENO_DEPTHS : COMMON_DEPTHS;
    }

    private static Constructor constructor(Arch arch) {
        return switch (arch) {
            case RESNET -> ResNet::new;
            case PREACTRESNET -> PreActResNet::new;
            case LENORESNET -> LenoResNet::new;
        };
    }

    public static TreeSet<Integer> depths(Arch arch) {
        return new TreeSet<>(table(arch).keySet());
    }

    /** Blocks per stage for arch + depth; an unknown pair is an error listing the valid depths. */
    public static int[] blocksPerStage(Arch arch, int depth) {
        return Optional.ofNullable(table(arch).get(depth)).map(int[]::clone).orElseThrow(() ->
                new IllegalArgumentException("no " + arch.id() + " of depth " + depth + "; valid depths: "
                        + depths(arch).stream().map(String::valueOf).collect(Collectors.joining(", "))));
    }

    public static Arch arch(String id) {
        return Arch.byId(id).orElseThrow(() -> new IllegalArgumentException("unknown arch '" + id
                + "'; valid: resnet, preactresnet, lenoresnet"));
    }

    public static ResidualNetwork create(ModelConfig config) {
        int[] blocks = blocksPerStage(config.arch(), config.depth());
        return constructor(config.arch()).create(config, blocks);
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
