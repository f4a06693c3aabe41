package org.leno.internal.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11, items 1 and 3: tiny crafted weights files must not exhaust memory, and no JVM error may
 * escape. Memory is measured as the bytes the reading thread allocates on the Java heap.
 */
class HostileFilesTest {
    static final long MB = 1 << 20;

    private static byte[] checkpointWithViews(int count, long[] size, long[] stride) {
        Crafted p = Crafted.pickle().dict().mark().str("state_dict").dict().mark();
        for (int i = 0; i < count; i++) {
            p.str(count == 1 ? "fc.weight" : "w" + i).tensor("0", "FloatStorage", 1, 0, size, stride);
        }
        return p.setItems().setItems().stop().bytes();
    }

    private static byte[] oneFloat(float v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array();
    }

    @Test
    void aStrideZeroViewOfOneFloatIsRefusedNamingTheKeyWithoutBeingMaterialised(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("stride0.pth.tar");
        Crafted.zip(file, checkpointWithViews(1, new long[] {16384, 16384}, new long[] {0, 0}), Map.of("0", oneFloat(1)), false);
        assertThat(Files.size(file)).isLessThan(1024);
        Crafted.Outcome o = Crafted.measure(() -> WeightFiles.readStateDict(file));
        assertThat(o.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessageStartingWith(file + ": tensor state_dict['fc.weight'] is a 16384x16384 view repeating 1 stored");
        assertThat(o.allocated()).isLessThan(16 * MB);
    }

    @Test
    void manyStrideZeroViewsAreStoppedByTheTotalBudget(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("views.pth.tar");
        // 24 views of 64 MiB each (each within the per-view limit without a model): 1.5 GiB in all
        Crafted.zip(file, checkpointWithViews(24, new long[] {4096, 4096}, new long[] {0, 0}), Map.of("0", oneFloat(1)), false);
        assertThat(Files.size(file)).isLessThan(8192);
        Crafted.Outcome o = Crafted.measure(() -> WeightFiles.readStateDict(file));
        assertThat(o.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessageStartingWith(file + ": reading it would take more than")
                .hasMessageContaining("(copying tensor state_dict['w0'])")
                .hasMessageContaining("the limit is 2 x the file's");
        assertThat(o.allocated()).isLessThan(8 * MB);
    }

    @Test
    void aViewIsMaterialisedOnlyUpToTheModelsTensorOfThatName(@TempDir Path dir) {
        ReadLimits model = ReadLimits.forModel(Map.of("fc.weight", 1000L * 2048 * 4, "fc.bias", 1000L * 4));
        Path fits = dir.resolve("fits.pt");
        Crafted.zip(fits, checkpointWithViews(1, new long[] {1000, 2048}, new long[] {0, 0}), Map.of("0", oneFloat(2.5f)), false);
        Crafted.Outcome[] read = new Crafted.Outcome[1];
        WeightFiles.Loaded[] loaded = new WeightFiles.Loaded[1];
        read[0] = Crafted.measure(() -> loaded[0] = WeightFiles.readStateDict(fits, model));
        assertThat(read[0].thrown()).isNull();
        TensorData t = loaded[0].stateDict().get("fc.weight");
        assertThat(t.shape()).containsExactly(1000, 2048);
        assertThat(t.toFloats()).containsOnly(2.5f);
        // the target's 8 MB, its parsing, and the float[] check above is outside the measurement
        assertThat(read[0].allocated()).isBetween(8_192_000L, 8_192_000L + 4 * MB);

        Path tooBig = dir.resolve("big.pt");
        Crafted.zip(tooBig, checkpointWithViews(1, new long[] {1001, 2048}, new long[] {0, 0}), Map.of("0", oneFloat(1)), false);
        Crafted.Outcome o = Crafted.measure(() -> WeightFiles.readStateDict(tooBig, model));
        assertThat(o.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("state_dict['fc.weight'] is a 1001x2048 view")
                .hasMessageContaining("(the size of the model's fc.weight)");
        assertThat(o.allocated()).isLessThan(4 * MB);
    }

    @Test
    void aDeflateBombIsRefusedBeforeItIsInflated(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("bomb.pt");
        long size = 256 * MB;
        byte[] pickle = Crafted.pickle().dict().mark().str("w")
                .tensor("0", "FloatStorage", size / 4, 0, new long[] {size / 4}, new long[] {1}).setItems().stop().bytes();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            Crafted.entry(zip, "archive/data.pkl", pickle, false);
            Crafted.zerosEntry(zip, "archive/data/0", size);
        }
        assertThat(Files.size(file)).isLessThan(MB);
        Crafted.Outcome o = Crafted.measure(() -> WeightFiles.readStateDict(file));
        assertThat(o.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessageStartingWith(file + ": reading it would take more than")
                .hasMessageContaining("(record archive/data/0)");
        assertThat(o.allocated()).isLessThan(8 * MB);

        // the same bomb read for a small model: refused by the model's budget
        Crafted.Outcome forModel = Crafted.measure(() -> WeightFiles.readStateDict(file,
                ReadLimits.forModel(Map.of("w", 1000L))));
        assertThat(forModel.thrown()).hasMessageContaining("the limit is 4 x the model's 1000 bytes + 64.0 MiB");
        assertThat(forModel.allocated()).isLessThan(8 * MB);
    }

    @Test
    void aRecordThatInflatesBeyondItsDeclaredSizeIsRefused(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("liar.pt");
        byte[] pickle = Crafted.pickle().dict().mark().str("w")
                .tensor("0", "FloatStorage", 4, 0, new long[] {4}, new long[] {1}).setItems().stop().bytes();
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            Crafted.entry(zip, "archive/data.pkl", pickle, false);
            Crafted.zerosEntry(zip, "archive/data/0", 64 * MB);
        }
        patchCentralDirectorySize(file, "archive/data/0", 16);
        Crafted.Outcome o = Crafted.measure(() -> WeightFiles.readStateDict(file));
        assertThat(o.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessage(file + ": record archive/data/0 holds more than the 16 bytes it declares");
        assertThat(o.allocated()).isLessThan(4 * MB);
    }

    @Test
    void aCorruptRecordFailsItsCrc(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sd.pt");
        WeightFiles.writeStateDict(file, Map.of("w", TensorData.ofFloats(new long[] {4}, 1f, 2f, 3f, 4f)));
        byte[] b = Files.readAllBytes(file);
        byte[] needle = oneFloat(3f);
        int at = indexOf(b, needle);
        b[at] ^= 1;
        Files.write(file, b);
        Crafted.Outcome o = Crafted.measure(() -> WeightFiles.readStateDict(file));
        assertThat(o.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessage(file + ": record archive/data/0 fails its CRC-32 check (file corrupt)");
    }

    /** The 1.9 GB sparse safetensors file holding one 16-byte tensor. */
    @Test
    void aSparseSafetensorsFileIsNotReadWhole(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("sparse.safetensors");
        SafeTensors.write(file, Map.of("w", TensorData.ofFloats(new long[] {4}, 1f, 2f, 3f, 4f)), Map.of());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(1_900_000_000L);
        }
        Crafted.Outcome o = Crafted.measure(() -> WeightFiles.readStateDict(file));
        assertThat(o.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessageStartingWith(file + ": ")
                .hasMessageContaining("trailing bytes after the last tensor");
        assertThat(o.allocated()).isLessThan(4 * MB);

        // the bytes declared as a tensor the model does not need: refused before any is read
        Path padded = dir.resolve("padded.safetensors");
        long header = writeSafetensorsHeader(padded, "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},"
                + "\"pad\":{\"dtype\":\"U8\",\"shape\":[1899999000],\"data_offsets\":[16,1899999016]}}");
        try (RandomAccessFile f = new RandomAccessFile(padded.toFile(), "rw")) {
            f.setLength(8 + header + 1_899_999_016L);
        }
        Crafted.Outcome forModel = Crafted.measure(() -> WeightFiles.readStateDict(padded,
                ReadLimits.forModel(Map.of("w", 16L))));
        assertThat(forModel.thrown()).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("(tensor pad)");
        assertThat(forModel.allocated()).isLessThan(4 * MB);
    }

    static long writeSafetensorsHeader(Path file, String json) throws IOException {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + text.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(text.length).put(text);
        Files.write(file, b.array());
        return text.length;
    }

    // ---- item 3: no JVM error escapes ----

    private static Throwable readPickle(Path dir, byte[] pickle) {
        Path file = dir.resolve("crafted.pt");
        Crafted.zip(file, pickle, Map.of(), false);
        return Crafted.measure(() -> WeightFiles.readStateDict(file)).thrown();
    }

    @Test
    void deeplyNestedListsAreRefusedNotOverflowingTheStack(@TempDir Path dir) {
        int depth = 200_000;
        byte[] pickle = Crafted.pickle().dict().str("state_dict").repeat(depth, ']').repeat(depth - 1, 'a').op('s').stop().bytes();
        assertThat(readPickle(dir, pickle)).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("crafted.pt: state_dict[0][0]").hasMessageContaining("is nested more than 100 levels deep");
    }

    @Test
    void aNestedTupleAsADictKeyIsRefused(@TempDir Path dir) {
        int depth = 200_000;
        byte[] pickle = Crafted.pickle().dict().op(')').repeat(depth, 0x85).integer(1).op('s').stop().bytes();
        assertThat(readPickle(dir, pickle)).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("crafted.pt: dict key is a PyTuple (unhashable) at byte");
    }

    @Test
    void cyclicStructuresAreRefused(@TempDir Path dir) {
        byte[] selfList = Crafted.pickle().dict().str("state_dict").list().op('q', 0).op('h', 0).op('a').op('s').stop().bytes();
        assertThat(readPickle(dir, selfList)).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("crafted.pt: state_dict[0] contains itself (a cyclic structure)");
        byte[] selfDict = Crafted.pickle().dict().op('q', 0).str("a").op('h', 0).op('s').stop().bytes();
        assertThat(readPickle(dir, selfDict)).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("crafted.pt: a contains itself");
        // a cyclic list as a persistent id: printed by type, never by value
        byte[] pid = Crafted.pickle().list().op('q', 0).op('h', 0).op('a').op('Q').stop().bytes();
        assertThat(readPickle(dir, pid)).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("crafted.pt: unsupported persistent id (a ArrayList)");
    }

    @Test
    void malformedValuesGiveOneLineErrorsNamingTheFile(@TempDir Path dir) {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("negative length", Crafted.pickle().op(0x8d).repeat(8, 0xff).stop().bytes());
        cases.put("string as size", Crafted.pickle().dict().mark().str("w").global("torch._utils", "_rebuild_tensor_v2")
                .mark().str("x").integer(0).str("size").str("stride").op('t', 'R').setItems().stop().bytes());
        cases.put("empty stack", Crafted.pickle().op('R').stop().bytes());
        cases.put("missing mark", Crafted.pickle().op('t').stop().bytes());
        cases.put("storage of absurd numel", Crafted.pickle().dict().mark().str("w")
                .tensor("0", "FloatStorage", Long.MAX_VALUE / 2, 0, new long[] {1}, new long[] {1}).setItems().stop().bytes());
        cases.put("huge memo index", Crafted.pickle().op('j').repeat(4, 0xff).stop().bytes());
        cases.put("odd dict items", Crafted.pickle().mark().integer(1).op('d').stop().bytes());
        cases.put("global with control characters", Crafted.pickle().global("os\u001b[31m", "system").stop().bytes());
        cases.forEach((what, pickle) -> {
            Throwable t = readPickle(dir, pickle);
            assertThat(t).as(what).isInstanceOf(InterchangeException.class).hasMessageContaining("crafted.pt");
            assertThat(t.getMessage()).as(what).doesNotContain("\n").doesNotContain("\u001b");
        });
    }


    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new IllegalStateException("not found");
    }

    /** Rewrites the uncompressed size of one entry in the zip's central directory. */
    private static void patchCentralDirectorySize(Path zip, String entry, int size) throws IOException {
        byte[] b = Files.readAllBytes(zip);
        byte[] name = entry.getBytes(StandardCharsets.UTF_8);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = b.length - 46; i >= 0; i--) {
            if (buf.getInt(i) == 0x02014b50 && (buf.getShort(i + 28) & 0xffff) == name.length
                    && Arrays.equals(b, i + 46, i + 46 + name.length, name, 0, name.length)) {
                buf.putInt(i + 24, size);
                Files.write(zip, b);
                return;
            }
        }
        throw new IllegalStateException("no central directory entry " + entry);
    }
}
