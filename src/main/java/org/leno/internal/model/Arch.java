package org.leno.internal.model;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.leno.internal.config.Choice;

/**
 * The model families, by the name the reference's {@code -a/--arch} flag uses: the registry that
 * every list of family names is derived from. A new family is its class and one line here (its name,
 * its display name, its constructor and its table of depths).
 */
public enum Arch implements Choice {
    RESNET("resnet", "ResNet", ResNet::new, Depths.COMMON),
    PREACTRESNET("preactresnet", "pre-act ResNet", PreActResNet::new, Depths.COMMON),
    LENORESNET("lenoresnet", "LeNo-ResNet", LenoResNet::new, Depths.LENO);

    /** Builds a family's network of a configuration, given its blocks per stage. */
    @FunctionalInterface
    interface Constructor {
        ResidualNetwork create(ModelConfig config, int[] blocksPerStage);
    }

    /** Blocks per stage by depth (kept out of the network classes, whose loading loads libtorch). */
    private static final class Depths {
        static final Map<Integer, int[]> COMMON = Map.of(
                50, new int[] {3, 4, 6, 3},
                101, new int[] {3, 4, 23, 3},
                152, new int[] {3, 8, 36, 3},
                200, new int[] {3, 24, 36, 3});

        static final Map<Integer, int[]> LENO = Map.of(
                50, new int[] {3, 4, 6, 3},
                101, new int[] {3, 4, 23, 3},
                152, new int[] {3, 8, 36, 3},
                200, new int[] {3, 24, 36, 3},
                401, new int[] {4, 45, 80, 4},
                500, new int[] {4, 56, 102, 4});
    }

    private final String id;
    private final String displayName;
    private final Constructor constructor;
    private final Map<Integer, int[]> depths;

    Arch(String id, String displayName, Constructor constructor, Map<Integer, int[]> depths) {
        this.id = id;
        this.displayName = displayName;
        this.constructor = constructor;
        this.depths = depths;
    }

    public String id() { return id; }

    public String displayName() { return displayName; }

    Constructor constructor() { return constructor; }

    /** Blocks per stage by depth (the arrays are the table's: copy before handing out). */
    Map<Integer, int[]> depthTable() { return depths; }

    public static Optional<Arch> byId(String id) {
        return Arrays.stream(values()).filter(a -> a.id.equalsIgnoreCase(id)).findFirst();
    }

    /** Every family's id, in table order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Arch::id).toList();
    }

    @Override
    public String help() { return id; }

    @Override
    public String toString() { return id; }
}
