package org.leno.internal.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.leno.internal.config.Flag;

/** The --model_depth help, written by hand in an annotation, names exactly the depths the registry builds. */
class DepthHelpTest {
    @Test
    void theHelpListsTheRegistrysDepths() {
        TreeSet<Integer> all = new TreeSet<>(ModelRegistry.depths(Arch.values()[0]));
        TreeSet<Integer> any = new TreeSet<>();
        for (Arch a : Arch.values()) {
            all.retainAll(ModelRegistry.depths(a));
            any.addAll(ModelRegistry.depths(a));
        }
        List<Integer> lenoOnly = new ArrayList<>(ModelRegistry.depths(Arch.LENORESNET));
        lenoOnly.removeAll(all);
        assertThat(any).as("only LeNo has depths of its own").isEqualTo(union(all, lenoOnly));
        String expected = "Depth: " + join(all) + " (all families); " + join(lenoOnly) + " (LeNo only).";
        Flag flag = ModelConfig.class.getRecordComponents()[1].getAnnotation(Flag.class);
        assertThat(flag.names()).contains("--model_depth");
        assertThat(flag.description()).isEqualTo(expected);
    }

    private static TreeSet<Integer> union(TreeSet<Integer> a, List<Integer> b) {
        TreeSet<Integer> u = new TreeSet<>(a);
        u.addAll(b);
        return u;
    }

    private static String join(Collection<Integer> depths) {
        return depths.stream().map(String::valueOf).collect(Collectors.joining(", "));
    }
}
