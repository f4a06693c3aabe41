package org.leno.internal.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.ReadLimits;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;

/** Loads weight files into models and saves models' weights, checking that they fit. */
public final class ModelWeights {
    private static final Pattern BLOCK_KEY = Pattern.compile("^layer([1-4])\\.(\\d{1,6})\\.");

    private ModelWeights() {
    }

    /** Loads a state dict or checkpoint file into {@code net}; nothing is loaded unless all of it fits. */
    public static WeightFiles.Loaded load(ResidualNetwork net, Path file) {
        return load(net, file, false);
    }

    /** With {@code ema}, the checkpoint's weight average ({@code model_ema}) instead of its weights. */
    public static WeightFiles.Loaded load(ResidualNetwork net, Path file, boolean ema) {
        WeightFiles.Loaded loaded = checked(net, file, ema);
        StateDict.load(net, loaded.stateDict(), file.toString());
        return loaded;
    }

    /**
     * Loads {@code file} into {@code net} to fine-tune it: all of it must fit, except a classifier of
     * another class count, which keeps its fresh initialisation. Returns the keys so kept.
     */
    public static List<String> loadForFineTuning(ResidualNetwork net, Path file) {
        WeightFiles.Loaded loaded = checked(net, file, false);
        List<String> reset = new ArrayList<>();
        try (NativeScope scope = NativeScope.open()) {
            Map<String, Tensor> model = StateDict.of(net);
            for (String key : List.of("fc.weight", "fc.bias")) {
                TensorData given = loaded.stateDict().get(key);
                if (given != null && model.containsKey(key)
                        && !Arrays.equals(given.shape(), Tensors.shape(model.get(key)))) {
                    reset.add(key);
                }
            }
        }
        StateDict.load(net, loaded.stateDict(), file.toString(), Set.copyOf(reset));
        return reset;
    }

    /**
     * Loads weights already read (for instance to read the model card beside them first) into
     * {@code net}, with the same checks as {@link #load(ResidualNetwork, Path)}.
     */
    public static void load(ResidualNetwork net, WeightFiles.Loaded loaded) {
        StateDict.load(net, checked(net, loaded).stateDict(), loaded.file().toString());
    }

    /** The file read within the model's budget, checked to be of the model's family and depth. */
    private static WeightFiles.Loaded checked(ResidualNetwork net, Path file, boolean ema) {
        return checked(net, WeightFiles.readStateDict(file, limitsFor(net), ema));
    }

    private static WeightFiles.Loaded checked(ResidualNetwork net, WeightFiles.Loaded loaded) {
        Path file = loaded.file();
        String wanted = net.config().arch().id();
        loaded.arch().ifPresent(arch -> {
            if (Arch.byId(arch).isEmpty()) {
                throw new InterchangeException(file + " is a checkpoint of architecture '" + InterchangeException.printable(arch)
                        + "', which leno does not know (it knows resnet, preactresnet, lenoresnet)");
            }
            if (!arch.equalsIgnoreCase(wanted)) {
                String shown = InterchangeException.printable(arch);
                throw new InterchangeException(file + " is a '" + shown + "' checkpoint, not '" + wanted
                        + "'; pass -a " + shown);
            }
        });
        String blocks = blocksPerStage(loaded.stateDict());
        String ours = Arrays.stream(net.blocksPerStage()).mapToObj(String::valueOf)
                .collect(Collectors.joining("-"));
        if (!blocks.isEmpty() && !blocks.equals(ours)) {
            throw new InterchangeException(file + " holds a network with " + blocks + " blocks per stage, not "
                    + net.config().name() + "'s " + ours + "; pass the matching --model_depth");
        }
        return loaded;
    }

    /**
     * What reading a weights file for {@code net} may take: the budget is proportional to the
     * model's state dict, and a view may repeat its elements only up to the size of the model's
     * tensor of the same name ({@link ReadLimits#forModel}).
     */
    public static ReadLimits limitsFor(ResidualNetwork net) {
        Map<String, Long> bytes = new LinkedHashMap<>();
        try (NativeScope scope = NativeScope.open()) {
            StateDict.of(net).forEach((k, t) -> bytes.put(k, t.numel() * Tensors.dtype(t).size()));
        }
        return ReadLimits.forModel(bytes);
    }

    /** Blocks per stage as "3-4-6-3", read from the layerN.M. keys; empty when the keys have none. */
    static String blocksPerStage(Map<String, TensorData> stateDict) {
        Map<Integer, Integer> maxIndex = new TreeMap<>();
        for (String key : stateDict.keySet()) {
            Matcher m = BLOCK_KEY.matcher(key);
            if (m.find()) {
                maxIndex.merge(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Math::max);
            }
        }
        if (maxIndex.size() != 4) {
            return "";
        }
        return maxIndex.values().stream().map(i -> String.valueOf(i + 1)).collect(Collectors.joining("-"));
    }

    public static void save(ResidualNetwork net, Path file) {
        try (NativeScope scope = NativeScope.open()) {
            WeightFiles.writeStateDict(file, StateDict.lazy(net));
        }
    }

    /**
     * Writes the weights as safetensors with {@code metadata} (and "format": "pt") in its
     * {@code __metadata__}, readable by all (for serving).
     */
    public static void saveSafetensors(ResidualNetwork net, Path file, Map<String, String> metadata) {
        Map<String, String> meta = new LinkedHashMap<>(metadata);
        meta.putIfAbsent("format", "pt");
        try (NativeScope scope = NativeScope.open()) {
            SafeTensors.write(file, StateDict.lazy(net), meta, "rw-r--r--");
        }
    }
}
