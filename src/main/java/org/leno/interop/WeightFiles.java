package org.leno.interop;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Reads and writes weights in PyTorch's formats: torch.save zip files (state dicts and the
 * reference training program's checkpoints) and safetensors.
 */
public final class WeightFiles {

    /** A state dict read from a file, with the checkpoint around it when there was one. */
    public record Loaded(Path file, Map<String, TensorData> stateDict, Optional<Map<?, ?>> checkpoint) {
        public Optional<String> arch() {
            return checkpoint.map(c -> c.get("arch")).filter(String.class::isInstance).map(String.class::cast);
        }
    }

    private WeightFiles() {
    }

    /** Reads any supported file as its Python object (safetensors as an OrderedDict of tensors). */
    public static Object readObject(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InterchangeException(file + ": no such file");
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(8);
        } catch (IOException e) {
            throw new InterchangeException("cannot read " + file + ": " + AtomicFiles.describe(e), e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return TorchZip.read(file);
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x80 && head[1] <= 5) {
            throw new InterchangeException(file + ": legacy (pre-1.6) torch.save format is not supported;"
                    + " re-save it in Python with torch.save(obj, path)");
        }
        if (head.length == 8) {
            return new OrderedDict(SafeTensors.read(file));
        }
        throw new InterchangeException(file + ": neither a torch.save zip file nor a safetensors file");
    }

    /** Reads a state dict, from a plain state dict file or from a checkpoint's "state_dict". */
    public static Loaded readStateDict(Path file) {
        Object root = readObject(file);
        if (!(root instanceof Map<?, ?> map)) {
            throw new InterchangeException(file + ": holds a " + root.getClass().getSimpleName()
                    + ", not a state dict or checkpoint dict");
        }
        Optional<Map<?, ?>> checkpoint = Optional.empty();
        Map<?, ?> dict = map;
        if (map.get("state_dict") instanceof Map<?, ?> inner) {
            checkpoint = Optional.of(map);
            dict = inner;
        } else if (map.get("model") instanceof Map<?, ?> inner && !map.containsKey("model.weight")) {
            checkpoint = Optional.of(map);
            dict = inner;
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof TensorData t)) {
                throw new InterchangeException(file + ": state dict entry " + e.getKey() + " is not a named tensor");
            }
            tensors.put(key, t);
        }
        return new Loaded(file, stripPrefix(tensors, "module."), checkpoint);
    }

    /** DataParallel and DistributedDataParallel prefix every key with "module."; drop it when all have it. */
    static Map<String, TensorData> stripPrefix(Map<String, TensorData> dict, String prefix) {
        if (dict.isEmpty() || !dict.keySet().stream().allMatch(k -> k.startsWith(prefix))) {
            return dict;
        }
        Map<String, TensorData> out = new LinkedHashMap<>();
        dict.forEach((k, v) -> out.put(k.substring(prefix.length()), v));
        return out;
    }

    /** Writes a state dict: safetensors for a ".safetensors" name, else a torch.save OrderedDict. */
    public static void writeStateDict(Path file, Map<String, ? extends HostTensor> stateDict) {
        if (file.getFileName().toString().endsWith(".safetensors")) {
            SafeTensors.write(file, stateDict, Map.of("format", "pt"));
        } else {
            TorchZip.write(file, new OrderedDict(stateDict));
        }
    }
}
