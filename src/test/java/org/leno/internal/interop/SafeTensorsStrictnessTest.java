package org.leno.internal.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 11, item 8: safetensors files are read as strictly as the format's own library reads them. */
class SafeTensorsStrictnessTest {
    @TempDir
    Path dir;

    private Path file(String header, int dataBytes) throws IOException {
        byte[] text = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + text.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(text.length).put(text);
        Path f = dir.resolve("t.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static String tensor(String name, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private void refused(String header, int dataBytes, String message) throws IOException {
        Path f = file(header, dataBytes);
        assertThatThrownBy(() -> WeightFiles.readStateDict(f)).isInstanceOf(InterchangeException.class)
                .hasMessageStartingWith(f + ": ").hasMessageContaining(message)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void aWellFormedFileLoads() throws IOException {
        Path f = file("{" + tensor("a", "[2]", 0, 8) + "," + tensor("b", "[1,1]", 8, 12)
                + ",\"__metadata__\":{\"format\":\"pt\"}}   ", 12);
        assertThat(WeightFiles.readStateDict(f).stateDict().keySet()).containsExactly("a", "b");
    }

    @Test
    void negativeDimensionsAreRefused() throws IOException {
        refused("{" + tensor("a", "[-2,-1]", 0, 8) + "}", 8, "tensor 'a' dimension 0 is -2, not a non-negative integer");
    }

    @Test
    void overlappingAndDuplicateEntriesAreRefused() throws IOException {
        refused("{" + tensor("a", "[2]", 0, 8) + "," + tensor("b", "[2]", 4, 12) + "}", 12,
                "tensor 'b' starts at 4, overlapping the data before it");
        refused("{" + tensor("a", "[2]", 0, 8) + "," + tensor("b", "[2]", 0, 8) + "}", 8,
                "tensor 'b' starts at 0, overlapping");
        refused("{" + tensor("a", "[2]", 0, 8) + "," + tensor("a", "[2]", 8, 16) + "}", 16,
                "Duplicate field 'a'");
    }

    @Test
    void offsetsMustCoverTheDataExactly() throws IOException {
        refused("{" + tensor("a", "[2]", 0, 8) + "," + tensor("b", "[2]", 12, 20) + "}", 20,
                "tensor 'b' starts at 12, leaving a gap after the data before it (which ends at 8)");
        refused("{" + tensor("a", "[2]", 0, 8) + "}", 9, "1 trailing bytes after the last tensor");
        refused("{" + tensor("a", "[2]", 0, 8) + "}", 4, "tensors reach past the end of the file");
        refused("{" + tensor("a", "[3]", 0, 8) + "}", 8, "has data offsets [0, 8], its 3 F32 needs 12 bytes");
    }

    @Test
    void aHeaderThatIsNotAJsonObjectIsRefused() throws IOException {
        refused("[1,2,3]", 0, "safetensors header is not a JSON object");
        refused("{\"a\":1} {", 0, "safetensors header is not valid JSON");
        refused("{\"a\":[1]}", 0, "tensor 'a' is not a JSON object");
        refused("{\"__metadata__\":{\"k\":[1]}}", 0, "__metadata__ is not an object of strings");
        refused("{" + tensor("a", "[2]", 0, 8).replace("F32", "F8_E4M3") + "}", 8, "tensor 'a' has unsupported dtype");
        refused("{" + tensor("a", "[4294967296,4294967296,4294967296]", 0, 8) + "}", 8, "has an absurd shape");
    }

    @Test
    void aHeaderTooLargeIsRefused() throws IOException {
        Path f = dir.resolve("huge.safetensors");
        Files.write(f, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(200L << 20).array());
        assertThatThrownBy(() -> WeightFiles.readStateDict(f)).isInstanceOf(InterchangeException.class)
                .hasMessage(f + ": not a safetensors file (header length 209715200, file size 16)");
        // within the format's 100 MB but more than the budget for a small model
        String padded = "{" + tensor("a", "[2]", 0, 8) + "}" + " ".repeat(8 << 20);
        Path big = file(padded, 8);
        assertThatThrownBy(() -> WeightFiles.readStateDict(big, ReadLimits.forModel(Map.of("a", 8L))))
                .isInstanceOf(InterchangeException.class).hasMessageContaining("(the JSON header)");
    }
}
