package org.leno.internal.interop;

import java.util.Map;

/**
 * How much memory reading one weights file may take. Everything the readers hold for the file
 * counts against {@link #maxBytes}: decompressed zip records, tensor copies and the Python objects
 * of the pickle (charged at an estimate of their heap size). A tensor view that repeats elements
 * (stride 0, overlapping strides) may grow beyond its storage only up to the size of the model's
 * tensor of the same name ({@link #viewBytesByName}), or {@link #maxViewBytes} for other names.
 *
 * @param basis how the limit was derived, for error messages
 */
public record ReadLimits(long maxBytes, long maxViewBytes, Map<String, Long> viewBytesByName, String basis) {
    /** Room for the pickle, small tensors and the Python objects beside the tensors. */
    public static final long SLACK = 64L << 20;
    /** Weights, momentum buffers, and as much again for views copied out of shared storages. */
    public static final int MODEL_FACTOR = 4;
    /** Without a model: torch.save stores records uncompressed, so a file holds about what it decodes to. */
    public static final int FILE_FACTOR = 2;
    /** Without a model, how far a view may grow beyond its storage. */
    public static final long FILE_MAX_VIEW_BYTES = 64L << 20;

    public ReadLimits {
        viewBytesByName = Map.copyOf(viewBytesByName);
    }

    /** Limits for loading into a model whose state dict has these tensor sizes in bytes, by name. */
    public static ReadLimits forModel(Map<String, Long> tensorBytesByName) {
        long total = 0;
        long largest = 0;
        for (long b : tensorBytesByName.values()) {
            total += b;
            largest = Math.max(largest, b);
        }
        return new ReadLimits(MODEL_FACTOR * total + SLACK, largest, tensorBytesByName,
                MODEL_FACTOR + " x the model's " + megabytes(total) + " + " + megabytes(SLACK));
    }

    /** Limits for reading a file without knowing the model it is for. */
    public static ReadLimits forFile(long fileSize) {
        return new ReadLimits(FILE_FACTOR * fileSize + SLACK, FILE_MAX_VIEW_BYTES, Map.of(),
                FILE_FACTOR + " x the file's " + megabytes(fileSize) + " + " + megabytes(SLACK));
    }

    /** How many bytes a view may take, and why that many. */
    record ViewCap(long bytes, String why) {}

    /** The most a view named {@code name} (a dict key; DataParallel's "module." dropped) may take. */
    ViewCap viewCap(String name) {
        if (name != null) {
            String key = name.startsWith("module.") ? name.substring("module.".length()) : name;
            Long b = viewBytesByName.get(key);
            if (b != null) {
                return new ViewCap(b, "the size of the model's " + key);
            }
        }
        return new ViewCap(maxViewBytes, viewBytesByName.isEmpty() ? "the limit without a model"
                : "the size of the model's largest tensor");
    }

    static String megabytes(long bytes) {
        return bytes < (1 << 20) ? bytes + " bytes" : String.format("%.1f MiB", bytes / (double) (1 << 20));
    }
}
