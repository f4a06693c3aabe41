package org.leno.internal.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.interop.HostTensor;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.TensorData;

/**
 * A module's parameters and buffers named and ordered exactly as PyTorch's {@code state_dict()}:
 * each module's own parameters, then its own buffers, then its children in registration order.
 */
public final class StateDict {
    private StateDict() {
    }

    /** Live references to the module's tensors, in PyTorch order. */
    public static Map<String, Tensor> of(Module module) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        StringSharedModuleDict modules = module.named_modules();
        for (long i = 0; i < modules.size(); i++) {
            var item = modules.get(i);
            String prefix = item.key() == null ? "" : item.key().getString();
            Module m = item.value();
            addAll(out, prefix, m.named_parameters(false));
            addAll(out, prefix, m.named_buffers(false));
        }
        return out;
    }

    private static void addAll(Map<String, Tensor> out, String prefix, StringTensorDict dict) {
        for (long i = 0; i < dict.size(); i++) {
            var item = dict.get(i);
            String name = item.key().getString();
            // value() points into the dict, which dies with it: take a handle of our own (same TensorImpl)
            out.put(prefix.isEmpty() ? name : prefix + "." + name, new Tensor(item.value()));
        }
    }

    /**
     * The state dict as tensors a writer streams from native memory ({@link Tensors#lazy}); they
     * hold handles of the current {@link NativeScope}, so write them before it closes.
     */
    public static Map<String, HostTensor> lazy(Module module) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        of(module).forEach((k, v) -> out.put(k, Tensors.lazy(v)));
        return out;
    }

    /** A copy of the state dict on the Java heap. */
    public static Map<String, TensorData> toHost(Module module) {
        Map<String, TensorData> out = new LinkedHashMap<>();
        try (NativeScope scope = NativeScope.open()) {
            of(module).forEach((k, v) -> out.put(k, Tensors.toHost(v)));
        }
        return out;
    }

    /**
     * Loads {@code source} into the module, all or nothing: key sets and shapes are checked first and
     * a mismatch is one error naming the first offending keys (and both shapes).
     */
    public static void load(Module module, Map<String, TensorData> source, String from) {
        load(module, source, from, java.util.Set.of());
    }

    /** As {@link #load(Module, Map, String)}, leaving the module's entries in {@code keep} as they are. */
    public static void load(Module module, Map<String, TensorData> source, String from, java.util.Set<String> keep) {
        try (NativeScope scope = NativeScope.open()) {
            Map<String, Tensor> target = new java.util.LinkedHashMap<>(of(module));
            target.keySet().removeAll(keep);
            Map<String, TensorData> given = new java.util.LinkedHashMap<>(source);
            given.keySet().removeAll(keep);
            source = given;
            checkCompatible(target, source, from);
            try (NoGradGuard g = new NoGradGuard()) {
                for (Map.Entry<String, Tensor> e : target.entrySet()) {
                    Tensor src = Tensors.fromHost(source.get(e.getKey()));
                    e.getValue().copy_(src);
                }
            }
        }
    }

    static void checkCompatible(Map<String, Tensor> target, Map<String, TensorData> source, String from) {
        List<String> missing = target.keySet().stream().filter(k -> !source.containsKey(k)).toList();
        List<String> unexpected = source.keySet().stream().filter(k -> !target.containsKey(k)).toList();
        List<String> problems = new ArrayList<>();
        if (!missing.isEmpty()) {
            problems.add(missing.size() + " missing key(s) " + first(missing));
        }
        if (!unexpected.isEmpty()) {
            problems.add(unexpected.size() + " unexpected key(s) " + first(unexpected));
        }
        List<String> shapes = new ArrayList<>();
        for (Map.Entry<String, Tensor> e : target.entrySet()) {
            TensorData s = source.get(e.getKey());
            long[] want = Tensors.shape(e.getValue());
            if (s != null && !Arrays.equals(s.shape(), want)) {
                shapes.add(InterchangeException.printable(e.getKey()) + " is " + s.shapeText() + " in the file, "
                        + TensorData.shapeText(want) + " in the model");
            }
        }
        if (!shapes.isEmpty()) {
            problems.add(shapes.size() + " shape mismatch(es): " + String.join("; ", shapes.subList(0, Math.min(3, shapes.size())))
                    + (shapes.size() > 3 ? "; ..." : ""));
        }
        if (!problems.isEmpty()) {
            throw new InterchangeException(from + " does not fit the model: " + String.join(", ", problems)
                    + "; nothing was loaded");
        }
    }

    private static String first(List<String> keys) {
        List<String> head = keys.subList(0, Math.min(3, keys.size())).stream().map(InterchangeException::printable).toList();
        return String.join(", ", head) + (keys.size() > 3 ? ", ..." : "");
    }
}
