package org.leno.internal.interop;

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
        return readObject(file, ReadLimits.forFile(file.toFile().length()));
    }

    /**
     * Reads any supported file within {@code limits}. Whatever the file holds, the only exception
     * is an {@link InterchangeException} naming it: JVM errors that crafted input could still
     * provoke in a library (stack or heap exhaustion, unchecked exceptions) are reported as such.
     */
    public static Object readObject(Path file, ReadLimits limits) {
        try {
            return readChecked(file, limits);
        } catch (InterchangeException e) {
            throw e;
        } catch (StackOverflowError e) {
            throw new InterchangeException(file + ": nested too deeply to read");
        } catch (OutOfMemoryError e) {
            throw new InterchangeException(file + ": not enough memory to read it (limit " + limits.basis() + ")");
        } catch (RuntimeException e) {
            throw new InterchangeException(file + ": malformed (" + e.getClass().getSimpleName() + ")");
        }
    }

    private static Object readChecked(Path file, ReadLimits limits) {
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
            return TorchZip.read(file, limits);
        }
        // a pre-1.6 torch.save file starts with its pickled magic number: PROTO 2, LONG1 of 10 bytes
        if (head.length >= 4 && (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a && head[3] == 10) {
            throw new InterchangeException(file + ": legacy (pre-1.6) torch.save format is not supported;"
                    + " re-save it in Python with torch.save(obj, path)");
        }
        if (head.length == 8) {
            return new OrderedDict(SafeTensors.read(file, limits));
        }
        throw new InterchangeException(file + ": neither a torch.save zip file nor a safetensors file");
    }

    /** Reads a state dict, from a plain state dict file or from a checkpoint's "state_dict". */
    public static Loaded readStateDict(Path file) {
        return readStateDict(file, ReadLimits.forFile(file.toFile().length()));
    }

    /** {@link #readStateDict(Path)} within {@code limits}. */
    public static Loaded readStateDict(Path file, ReadLimits limits) {
        return readStateDict(file, limits, false);
    }

    /**
     * With {@code ema}, the checkpoint's weight average ({@code model_ema}: torchvision's AveragedModel
     * state dict, its {@code n_averaged} counter left out) instead of its {@code state_dict}.
     */
    public static Loaded readStateDict(Path file, ReadLimits limits, boolean ema) {
        Object root = readObject(file, limits);
        if (!(root instanceof Map<?, ?> map)) {
            throw new InterchangeException(file + ": holds a " + PickleReader.typeName(root)
                    + ", not a state dict or checkpoint dict");
        }
        Optional<Map<?, ?>> checkpoint = Optional.empty();
        Map<?, ?> dict = map;
        if (ema) {
            if (!(map.get("model_ema") instanceof Map<?, ?> average)) {
                throw new InterchangeException(file + ": has no model_ema (a checkpoint of leno train --model-ema, or of "
                        + "torchvision's train.py with --model-ema, has one)");
            }
            Map<Object, Object> weights = new LinkedHashMap<>(average);
            weights.remove("n_averaged");
            checkpoint = Optional.of(map);
            dict = weights;
        } else if (map.get("state_dict") instanceof Map<?, ?> inner) {
            checkpoint = Optional.of(map);
            dict = inner;
        } else if (map.get("model") instanceof Map<?, ?> inner && !map.containsKey("model.weight")) {
            checkpoint = Optional.of(map);
            dict = inner;
        }
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : dict.entrySet()) {
            if (!(e.getKey() instanceof String key) || !(e.getValue() instanceof TensorData t)) {
                throw new InterchangeException(file + ": state dict entry " + PickleReader.describe(e.getKey())
                        + " is not a named tensor (its value is a " + PickleReader.typeName(e.getValue()) + ")");
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
