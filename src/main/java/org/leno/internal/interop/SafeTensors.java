package org.leno.internal.interop;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The safetensors format: an 8-byte header length, a JSON header, then raw little-endian data. */
public final class SafeTensors {

    /** The safetensors library's own limit on the header. */
    static final long MAX_HEADER = 100L << 20;
    /** Heap bytes a parsed JSON header may take per byte of text (an upper estimate for Jackson's tree). */
    private static final int JSON_HEAP_FACTOR = 32;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper STRICT_JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private record Entry(String key, DType dtype, long[] shape, long begin, long end) {}

    private SafeTensors() {
    }

    /** Reads a safetensors file with the limits of a file of its size. */
    public static Map<String, TensorData> read(Path file) {
        return read(file, ReadLimits.forFile(file.toFile().length()));
    }

    /**
     * Reads a safetensors file within {@code limits}, strictly as the format's own library does: the
     * header is a JSON object without duplicate keys, every tensor has a known dtype, non-negative
     * dimensions and offsets matching its size, and the tensors tile the data exactly (no gap,
     * overlap or trailing byte). Each tensor is read at its offset; the file is never read whole.
     */
    public static Map<String, TensorData> read(Path file, ReadLimits limits) {
        String name = file.toString();
        ReadBudget budget = new ReadBudget(name, limits);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            ByteBuffer lenBytes = readAt(ch, 0, 8, name);
            long headerLen = lenBytes.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > fileSize - 8) {
                throw new InterchangeException(name + ": not a safetensors file (header length " + headerLen
                        + ", file size " + fileSize + ")");
            }
            budget.charge(headerLen * (1 + JSON_HEAP_FACTOR), "the JSON header");
            List<Entry> entries = parseHeader(readAt(ch, 8, (int) headerLen, name), name);
            long dataStart = 8 + headerLen;
            checkTiling(entries, fileSize - dataStart, name);
            Map<String, TensorData> out = new LinkedHashMap<>();
            for (Entry e : entries) {
                budget.charge(e.end() - e.begin(), "tensor " + InterchangeException.printable(e.key()));
                ByteBuffer b = readAt(ch, dataStart + e.begin(), Math.toIntExact(e.end() - e.begin()), name);
                out.put(e.key(), new TensorData(e.dtype(), e.shape(), b.array()));
            }
            return out;
        } catch (IOException e) {
            throw new InterchangeException("cannot read " + name + ": " + AtomicFiles.describe(e), e);
        }
    }

    /**
     * The {@code __metadata__} strings of a safetensors file (empty when it has none), read from its
     * header alone; a file that is not safetensors, or whose header is malformed, is one line naming it.
     */
    public static Map<String, String> metadata(Path file) {
        String name = file.toString();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long fileSize = ch.size();
            long headerLen = fileSize < 8 ? -1 : readAt(ch, 0, 8, name).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > fileSize - 8) {
                throw new InterchangeException(name + ": not a safetensors file (header length " + headerLen
                        + ", file size " + fileSize + ")");
            }
            ByteBuffer text = readAt(ch, 8, (int) headerLen, name);
            parseHeader(text, name);
            JsonNode meta = STRICT_JSON.readTree(text.array()).path("__metadata__");
            Map<String, String> out = new LinkedHashMap<>();
            meta.fields().forEachRemaining(f -> out.put(f.getKey(), f.getValue().asText()));
            return out;
        } catch (IOException e) {
            throw new InterchangeException("cannot read " + name + ": " + AtomicFiles.describe(e), e);
        }
    }

    private static ByteBuffer readAt(FileChannel ch, long position, int length, String name) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, position + b.position()) < 0) {
                throw new InterchangeException(name + ": truncated safetensors file (" + length + " bytes at "
                        + position + " not there)");
            }
        }
        return b;
    }

    private static List<Entry> parseHeader(ByteBuffer text, String name) {
        JsonNode header;
        try {
            header = STRICT_JSON.readTree(text.array());
        } catch (IOException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
            throw new InterchangeException(name + ": safetensors header is not valid JSON ("
                    + InterchangeException.printable(why) + ")");
        }
        if (header == null || !header.isObject()) {
            throw new InterchangeException(name + ": safetensors header is not a JSON object");
        }
        List<Entry> entries = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> f = fields.next();
            if (f.getKey().equals("__metadata__")) {
                checkMetadata(f.getValue(), name);
            } else {
                entries.add(entry(f.getKey(), f.getValue(), name));
            }
        }
        return entries;
    }

    private static void checkMetadata(JsonNode meta, String name) {
        boolean ok = meta.isObject();
        for (Iterator<JsonNode> it = meta.elements(); ok && it.hasNext(); ) {
            ok = it.next().isTextual();
        }
        if (!ok) {
            throw new InterchangeException(name + ": safetensors __metadata__ is not an object of strings");
        }
    }

    private static Entry entry(String key, JsonNode t, String name) {
        String what = name + ": tensor '" + InterchangeException.printable(key) + "'";
        if (!t.isObject()) {
            throw new InterchangeException(what + " is not a JSON object");
        }
        DType dtype = DType.fromSafetensors(t.path("dtype").asText()).orElseThrow(() ->
                new InterchangeException(what + " has unsupported dtype "
                        + InterchangeException.printable(t.path("dtype").toString())));
        JsonNode shapeNode = t.path("shape");
        if (!shapeNode.isArray() || shapeNode.size() > TensorView.MAX_DIMS) {
            throw new InterchangeException(what + " has no shape array of at most " + TensorView.MAX_DIMS + " dimensions");
        }
        long[] shape = new long[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = nonNegative(shapeNode.get(i), what + " dimension " + i);
        }
        JsonNode offsets = t.path("data_offsets");
        if (!offsets.isArray() || offsets.size() != 2) {
            throw new InterchangeException(what + " has no data_offsets [begin, end]");
        }
        long begin = nonNegative(offsets.get(0), what + " data_offsets begin");
        long end = nonNegative(offsets.get(1), what + " data_offsets end");
        long bytes;
        try {
            bytes = Math.multiplyExact(TensorData.numel(shape), dtype.size());
        } catch (ArithmeticException e) {
            throw new InterchangeException(what + " has an absurd shape " + TensorData.shapeText(shape));
        }
        if (end < begin || end - begin != bytes) {
            throw new InterchangeException(what + " has data offsets [" + begin + ", " + end + "], its "
                    + TensorData.shapeText(shape) + " " + dtype.safetensorsName() + " needs " + bytes + " bytes");
        }
        return new Entry(key, dtype, shape, begin, end);
    }

    private static long nonNegative(JsonNode n, String what) {
        if (n == null || !n.isIntegralNumber() || !n.canConvertToLong() || n.asLong() < 0) {
            throw new InterchangeException(what + " is " + InterchangeException.printable(String.valueOf(n))
                    + ", not a non-negative integer");
        }
        return n.asLong();
    }

    /** The tensors must cover the data exactly, as the safetensors library requires. */
    private static void checkTiling(List<Entry> entries, long dataLen, String name) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        for (Entry e : sorted) {
            if (e.begin() != covered) {
                throw new InterchangeException(name + ": tensor '" + InterchangeException.printable(e.key())
                        + "' starts at " + e.begin() + ", " + (e.begin() < covered ? "overlapping" : "leaving a gap after")
                        + " the data before it (which ends at " + covered + ")");
            }
            covered = e.end();
        }
        if (covered != dataLen) {
            throw new InterchangeException(name + ": " + (covered < dataLen ? (dataLen - covered)
                    + " trailing bytes after the last tensor" : "tensors reach past the end of the file")
                    + " (data section of " + dataLen + " bytes, tensors cover " + covered + ")");
        }
    }

    public static void write(Path file, Map<String, ? extends HostTensor> tensors, Map<String, String> metadata) {
        write(file, tensors, metadata, null);
    }

    /** With the file's {@code permissions} ("rw-r--r--"; null: the owner's only), see {@link AtomicFiles#write(Path, AtomicFiles.Writer, String)}. */
    public static void write(Path file, Map<String, ? extends HostTensor> tensors, Map<String, String> metadata,
                             String permissions) {
        ObjectNode header = JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, ? extends HostTensor> e : tensors.entrySet()) {
            ObjectNode t = header.putObject(e.getKey());
            t.put("dtype", e.getValue().dtype().safetensorsName());
            var shape = t.putArray("shape");
            for (long s : e.getValue().shape()) {
                shape.add(s);
            }
            t.putArray("data_offsets").add(offset).add(offset + e.getValue().byteSize());
            offset += e.getValue().byteSize();
        }
        byte[] json;
        try {
            json = JSON.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        int padded = (json.length + 7) / 8 * 8;
        byte[] headerBytes = new byte[padded];
        java.util.Arrays.fill(headerBytes, (byte) ' ');
        System.arraycopy(json, 0, headerBytes, 0, json.length);
        AtomicFiles.write(file, out -> {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
            out.write(headerBytes);
            for (HostTensor t : tensors.values()) {
                t.writeTo(out);
            }
        }, permissions);
    }
}
