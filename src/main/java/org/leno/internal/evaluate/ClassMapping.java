package org.leno.internal.evaluate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How a data set's classes become the model's: by name when the model records class names (the data
 * may hold any subset of them), else by index. {@code names} are the model's classes, by index, as
 * the evaluation names them (the data's names where the model records none).
 */
public record ClassMapping(int[] modelIndex, List<String> names) {
    /** How many names an error message lists before "(and N more)". */
    private static final int LISTED = 8;

    public ClassMapping {
        names = List.copyOf(names);
    }

    /**
     * Maps {@code dataClasses} (sorted folder names, say) of the data set {@code where} onto a model
     * of {@code nClasses} classes named {@code modelNames} (empty: none recorded). A data class the
     * model does not know, or more data classes than the model has when it records no names, is one
     * line naming what is unknown and what is missing.
     */
    public static ClassMapping of(List<String> dataClasses, List<String> modelNames, int nClasses, String where) {
        if (modelNames.isEmpty()) {
            return byIndex(dataClasses, nClasses, where);
        }
        Map<String, Integer> index = new HashMap<>();
        for (int i = 0; i < modelNames.size(); i++) {
            index.putIfAbsent(modelNames.get(i), i);
        }
        List<String> unknown = dataClasses.stream().filter(c -> !index.containsKey(c)).toList();
        if (!unknown.isEmpty()) {
            Set<String> present = new HashSet<>(dataClasses);
            List<String> missing = modelNames.stream().filter(n -> !present.contains(n)).toList();
            throw new IllegalArgumentException(where + ": the classes do not match the model's: unknown to the model "
                    + list(unknown) + "; the model's classes missing here " + list(missing));
        }
        int[] map = dataClasses.stream().mapToInt(index::get).toArray();
        List<String> names = new ArrayList<>(modelNames);
        for (int i = names.size(); i < nClasses; i++) {
            names.add(Integer.toString(i));
        }
        return new ClassMapping(map, names);
    }

    private static ClassMapping byIndex(List<String> dataClasses, int nClasses, String where) {
        if (dataClasses.size() > nClasses) {
            throw new IllegalArgumentException(where + ": " + dataClasses.size() + " classes for a model of " + nClasses
                    + " classes that records no class names (pass --class-names, or a checkpoint of leno train)");
        }
        int[] map = new int[dataClasses.size()];
        List<String> names = new ArrayList<>(dataClasses);
        for (int i = 0; i < nClasses; i++) {
            if (i < map.length) {
                map[i] = i;
            } else {
                names.add(Integer.toString(i));
            }
        }
        return new ClassMapping(map, names);
    }

    /** The model's index of data class {@code dataClass}. */
    public int toModel(int dataClass) {
        return modelIndex[dataClass];
    }

    private static String list(List<String> names) {
        if (names.isEmpty()) {
            return "(none)";
        }
        String shown = String.join(", ", names.subList(0, Math.min(LISTED, names.size())));
        return shown + (names.size() > LISTED ? " (and " + (names.size() - LISTED) + " more)" : "");
    }
}
