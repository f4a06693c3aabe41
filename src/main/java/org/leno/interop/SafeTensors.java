package org.leno.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** The safetensors format: an 8-byte header length, a JSON header, then raw little-endian data. */
public final class SafeTensors {

    private static final long MAX_HEADER = 100L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private SafeTensors() {
    }

    public static Map<String, TensorData> read(Path file) {
        String name = file.toString();
        try (InputStream in = Files.newInputStream(file)) {
            long fileSize = Files.size(file);
            byte[] lenBytes = in.readNBytes(8);
            if (lenBytes.length < 8) {
                throw new InterchangeException(name + ": too short to be a safetensors file");
            }
            long headerLen = ByteBuffer.wrap(lenBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER || headerLen > fileSize - 8) {
                throw new InterchangeException(name + ": not a safetensors file (header length " + headerLen + ")");
            }
            JsonNode header;
            try {
                header = JSON.readTree(in.readNBytes((int) headerLen));
            } catch (IOException e) {
                throw new InterchangeException(name + ": safetensors header is not JSON");
            }
            long dataLen = fileSize - 8 - headerLen;
            byte[] data = in.readNBytes(Math.toIntExact(dataLen));
            Map<String, TensorData> out = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> fields = header.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = f.getValue();
                DType dtype = DType.fromSafetensors(t.path("dtype").asText()).orElseThrow(() ->
                        new InterchangeException(name + ": tensor " + f.getKey() + " has unsupported dtype "
                                + t.path("dtype")));
                long[] shape = new long[t.path("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = t.path("shape").get(i).asLong();
                }
                long begin = t.path("data_offsets").path(0).asLong(-1);
                long end = t.path("data_offsets").path(1).asLong(-1);
                if (begin < 0 || end < begin || end > dataLen
                        || end - begin != TensorData.numel(shape) * dtype.size()) {
                    throw new InterchangeException(name + ": tensor " + f.getKey() + " has bad data offsets ["
                            + begin + ", " + end + "]");
                }
                byte[] bytes = new byte[(int) (end - begin)];
                System.arraycopy(data, (int) begin, bytes, 0, bytes.length);
                out.put(f.getKey(), new TensorData(dtype, shape, bytes));
            }
            return out;
        } catch (IOException e) {
            throw new InterchangeException("cannot read " + name + ": " + AtomicFiles.describe(e), e);
        }
    }

    public static void write(Path file, Map<String, ? extends HostTensor> tensors, Map<String, String> metadata) {
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
        });
    }
}
