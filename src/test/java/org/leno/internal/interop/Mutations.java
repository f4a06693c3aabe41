package org.leno.internal.interop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Seeded mutations of weights files for the fuzz test: raw byte mutations of whole files, and
 * structure-aware ones that re-pack a valid container around a mutated part (a torch.save zip
 * around a mutated pickle or storage record; a safetensors file around a mutated JSON header),
 * so that the mutation reaches the parser behind the container's own checks.
 */
final class Mutations {
    private static final long[] INTERESTING = {0, 1, -1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x7fffffffL,
            0x80000000L, 0xffffffffL, 1L << 32, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62, 64, 65, 1000};
    private static final ObjectMapper JSON = new ObjectMapper();

    private Mutations() {
    }

    /** A container file split into its parts: zip entries in order, or a safetensors header and data. */
    record Parts(Map<String, byte[]> zipEntries, byte[] safetensorsHeader, byte[] safetensorsData) {
        boolean isZip() { return zipEntries != null; }
    }

    static Parts parts(java.nio.file.Path path, byte[] file) {
        if (file.length > 4 && file[0] == 'P' && file[1] == 'K') {
            Map<String, byte[]> entries = new LinkedHashMap<>();
            try (ZipFile zip = new ZipFile(path.toFile())) {
                for (ZipEntry e : zip.stream().toList()) {
                    try (var in = zip.getInputStream(e)) {
                        entries.put(e.getName(), in.readAllBytes());
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return new Parts(entries, null, null);
        }
        long n = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        return new Parts(null, Arrays.copyOfRange(file, 8, 8 + (int) n), Arrays.copyOfRange(file, 8 + (int) n, file.length));
    }

    /** One mutated file made from {@code seed} (its parts {@code parts}), {@code other} serving for splices. */
    static byte[] mutate(byte[] seed, Parts parts, byte[] other, SplittableRandom rng) {
        int strategy = rng.nextInt(10);
        if (strategy < 4) {
            return raw(seed, other, rng, 1 + rng.nextInt(3));
        }
        if (parts.isZip()) {
            return mutateZip(parts, other, rng);
        }
        return mutateSafetensors(parts, other, rng);
    }

    private static byte[] mutateZip(Parts parts, byte[] other, SplittableRandom rng) {
        Map<String, byte[]> entries = new LinkedHashMap<>(parts.zipEntries());
        String pkl = entries.keySet().stream().filter(k -> k.endsWith("data.pkl")).findFirst().orElseThrow();
        int what = rng.nextInt(10);
        if (what < 7) {
            entries.put(pkl, rng.nextBoolean() ? pickleFields(entries.get(pkl), rng) : raw(entries.get(pkl), other, rng, 1));
        } else {
            List<String> records = entries.keySet().stream().filter(k -> k.contains("/data/")).toList();
            if (!records.isEmpty()) {
                String r = records.get(rng.nextInt(records.size()));
                entries.put(r, raw(entries.get(r), other, rng, 1));
            }
        }
        return zip(entries, rng.nextInt(4) == 0);
    }

    private static byte[] zip(Map<String, byte[]> entries, boolean deflate) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                Crafted.entry(zip, e.getKey(), e.getValue(), deflate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Byte-level mutations: bit flips, inserts, deletes, truncation, splices, interesting values. */
    static byte[] raw(byte[] in, byte[] other, SplittableRandom rng, int rounds) {
        byte[] b = in;
        for (int r = 0; r < rounds; r++) {
            if (b.length == 0) {
                return new byte[] {(byte) rng.nextInt(256)};
            }
            int at = rng.nextInt(b.length);
            switch (rng.nextInt(7)) {
                case 0 -> {
                    b = b.clone();
                    for (int k = 1 + rng.nextInt(8); k > 0; k--) {
                        int p = rng.nextInt(b.length);
                        b[p] ^= (byte) (1 << rng.nextInt(8));
                    }
                }
                case 1 -> b = splice(b, at, at, repeatByte(rng.nextInt(256), 1 + rng.nextInt(rng.nextBoolean() ? 4 : 64)));
                case 2 -> b = splice(b, at, Math.min(b.length, at + 1 + rng.nextInt(16)), new byte[0]);
                case 3 -> b = Arrays.copyOf(b, rng.nextInt(b.length));
                case 4 -> {
                    int from = rng.nextInt(other.length);
                    int len = Math.min(other.length - from, 1 + rng.nextInt(256));
                    b = splice(b, at, Math.min(b.length, at + rng.nextInt(64)), Arrays.copyOfRange(other, from, from + len));
                }
                case 5 -> {
                    int from = rng.nextInt(b.length);
                    int len = Math.min(b.length - from, 1 + rng.nextInt(128));
                    b = splice(b, at, at, Arrays.copyOfRange(b, from, from + len));
                }
                default -> {
                    b = b.clone();
                    long v = INTERESTING[rng.nextInt(INTERESTING.length)];
                    int width = new int[] {1, 2, 4, 8}[rng.nextInt(4)];
                    for (int k = 0; k < width && at + k < b.length; k++) {
                        b[at + k] = (byte) (v >>> (8 * k));
                    }
                }
            }
        }
        return b;
    }

    /** Mutates the argument of one opcode (an integer, a length, a memo index) or the opcode itself. */
    static byte[] pickleFields(byte[] pickle, SplittableRandom rng) {
        List<int[]> ops = opcodes(pickle);
        if (ops.isEmpty()) {
            return raw(pickle, pickle, rng, 1);
        }
        int[] op = ops.get(rng.nextInt(ops.size()));
        int pos = op[0];
        int argLen = op[1];
        byte[] b = pickle.clone();
        if (argLen == 0 || rng.nextInt(4) == 0) {
            byte[] known = {'(', '.', '}', ']', ')', 'N', 't', 'l', 'd', 'a', 'e', 's', 'u', 'R', 'b', 'Q', '0', '2', '1',
                    (byte) 0x85, (byte) 0x86, (byte) 0x87, (byte) 0x81, (byte) 0x93, (byte) 0x94, (byte) 0x88, (byte) 0x90};
            b[pos] = known[rng.nextInt(known.length)];
            return b;
        }
        long v = INTERESTING[rng.nextInt(INTERESTING.length)];
        if (rng.nextBoolean()) {
            v = rng.nextLong();
        }
        for (int k = 0; k < Math.min(argLen, 8); k++) {
            b[pos + 1 + k] = (byte) (v >>> (8 * k));
        }
        return b;
    }

    /** Positions of the opcodes of a pickle with the width of their fixed argument (lengths, integers, indices). */
    static List<int[]> opcodes(byte[] p) {
        List<int[]> out = new ArrayList<>();
        ByteBuffer in = ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN);
        try {
            while (in.hasRemaining()) {
                int pos = in.position();
                int op = in.get() & 0xff;
                int arg = switch (op) {
                    case 'K', 'q', 'h', 'U', 'C', 0x8c, 0x80 -> 1;
                    case 'M' -> 2;
                    case 'J', 'r', 'j', 'X', 'T', 'B' -> 4;
                    case 'G', 0x95, 0x8d -> 8;
                    case 0x8a -> 1;
                    default -> 0;
                };
                out.add(new int[] {pos, arg});
                long skip = switch (op) {
                    case 'U', 'C', 0x8c -> (p[pos + 1] & 0xff) + 1;
                    case 'X', 'T', 'B' -> (in.getInt(pos + 1) & 0xffffffffL) + 4;
                    case 0x8d -> in.getLong(pos + 1) + 8;
                    case 0x8a -> (p[pos + 1] & 0xff) + 1;
                    case 'c' -> lineEnds(p, pos + 1, 2) - pos - 1;
                    default -> arg;
                };
                in.position((int) (pos + 1 + skip));
                if (op == '.') {
                    break;
                }
            }
        } catch (RuntimeException e) {
            // a pickle that is already malformed: the opcodes found so far serve
        }
        return out;
    }

    private static int lineEnds(byte[] p, int from, int lines) {
        int i = from;
        for (int n = 0; n < lines; i++) {
            if (p[i] == '\n') {
                n++;
            }
        }
        return i;
    }

    private static byte[] mutateSafetensors(Parts parts, byte[] other, SplittableRandom rng) {
        byte[] header = parts.safetensorsHeader();
        byte[] data = parts.safetensorsData();
        if (rng.nextInt(3) == 0) {
            header = raw(header, other, rng, 1);
        } else {
            header = headerFields(header, rng);
        }
        if (rng.nextInt(5) == 0) {
            data = raw(data, other, rng, 1);
        }
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        return b.array();
    }

    /** Changes one field of one tensor entry of a safetensors header: dtype, a dimension, an offset, or its type. */
    static byte[] headerFields(byte[] header, SplittableRandom rng) {
        ObjectNode root;
        try {
            root = (ObjectNode) JSON.readTree(header);
        } catch (IOException | ClassCastException e) {
            return header;
        }
        List<String> names = new ArrayList<>();
        root.fieldNames().forEachRemaining(names::add);
        if (names.isEmpty()) {
            return header;
        }
        String name = names.get(rng.nextInt(names.size()));
        JsonNode entry = root.get(name);
        long v = rng.nextBoolean() ? INTERESTING[rng.nextInt(INTERESTING.length)] : rng.nextInt(-4, 64);
        switch (rng.nextInt(9)) {
            case 0 -> root.set(name, rng.nextBoolean() ? JSON.getNodeFactory().numberNode(v) : JSON.createArrayNode());
            case 1 -> {
                if (entry instanceof ObjectNode o) {
                    o.put("dtype", new String[] {"F16", "BF16", "I64", "U8", "BOOL", "F8_E5M2", "", "f32"}[rng.nextInt(8)]);
                }
            }
            case 2, 3 -> {
                if (entry instanceof ObjectNode o && o.get("shape") instanceof ArrayNode s && !s.isEmpty()) {
                    s.set(rng.nextInt(s.size()), JSON.getNodeFactory().numberNode(v));
                }
            }
            case 4 -> {
                if (entry instanceof ObjectNode o && o.get("shape") instanceof ArrayNode s) {
                    s.add(v);
                }
            }
            case 5, 6 -> {
                if (entry instanceof ObjectNode o && o.get("data_offsets") instanceof ArrayNode d && d.size() == 2) {
                    int i = rng.nextInt(2);
                    d.set(i, JSON.getNodeFactory().numberNode(rng.nextBoolean() ? v : d.get(i).asLong() + rng.nextInt(-8, 9)));
                }
            }
            case 7 -> {
                if (entry instanceof ObjectNode o) {
                    Iterator<String> f = o.fieldNames();
                    if (f.hasNext()) {
                        o.remove(f.next());
                    }
                }
            }
            default -> root.set(name + (rng.nextBoolean() ? "" : "x"), entry.deepCopy());
        }
        return root.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
        byte[] out = new byte[b.length - (to - from) + insert.length];
        System.arraycopy(b, 0, out, 0, from);
        System.arraycopy(insert, 0, out, from, insert.length);
        System.arraycopy(b, to, out, from + insert.length, b.length - to);
        return out;
    }

    private static byte[] repeatByte(int value, int n) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) value);
        return b;
    }
}
