package org.leno.internal.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.Fixtures;

/** Reading what PyTorch wrote, and writing what it reads; no natives needed. */
class InterchangeTest {
    static final JsonNode EXPECTED = Fixtures.json("interchange_expected.json");

    static void assertMatches(Map<String, TensorData> actual, JsonNode expected) {
        assertThat(actual.keySet()).containsExactlyInAnyOrderElementsOf(iterable(expected.fieldNames()));
        expected.fields().forEachRemaining(e -> {
            TensorData t = actual.get(e.getKey());
            JsonNode want = e.getValue();
            assertThat(t.dtype().pythonName()).as(e.getKey()).isEqualTo(want.get("dtype").asText());
            long[] shape = new long[want.get("shape").size()];
            for (int i = 0; i < shape.length; i++) {
                shape[i] = want.get("shape").get(i).asLong();
            }
            assertThat(t.shape()).as(e.getKey()).containsExactly(shape);
            double[] values = t.toDoubles();
            assertThat(values).as(e.getKey()).hasSize(want.get("values").size());
            for (int i = 0; i < values.length; i++) {
                assertThat(values[i]).as(e.getKey() + "[" + i + "]").isEqualTo(want.get("values").get(i).asDouble());
            }
        });
    }

    static Iterable<String> iterable(Iterator<String> it) {
        return () -> it;
    }

    @Test
    void readsAPlainDictStateDictWithEveryTypeAndViews() {
        WeightFiles.Loaded loaded = WeightFiles.readStateDict(Fixtures.path("plain_state_dict.pt"));
        assertThat(loaded.checkpoint()).isEmpty();
        assertMatches(loaded.stateDict(), EXPECTED.get("plain"));
    }

    @Test
    void readsAnOrderedDictStateDictInItsOrder() {
        WeightFiles.Loaded loaded = WeightFiles.readStateDict(Fixtures.path("ordered_state_dict.pt"));
        assertMatches(loaded.stateDict(), EXPECTED.get("ordered"));
        assertThat(loaded.stateDict().keySet()).containsExactlyElementsOf(jsonStrings(EXPECTED.get("ordered_keys")));
    }

    @Test
    void readsTheReferenceCheckpointWithModulePrefixAndOptimizerState() {
        WeightFiles.Loaded loaded = WeightFiles.readStateDict(Fixtures.path("reference_checkpoint.pth.tar"));
        assertMatches(loaded.stateDict(), EXPECTED.get("checkpoint_state_dict"));
        Map<?, ?> ckpt = loaded.checkpoint().orElseThrow();
        assertThat(loaded.arch()).contains("lenoresnet");
        assertThat(ckpt.get("epoch")).isEqualTo(3L);
        assertThat(ckpt.get("val_acc1")).isEqualTo(11.0);
        assertThat(((TensorData) ckpt.get("best_acc1")).toDoubles()).containsExactly(12.5);
        Map<?, ?> optimizer = (Map<?, ?>) ckpt.get("optimizer");
        Map<?, ?> state = (Map<?, ?>) optimizer.get("state");
        Map<String, TensorData> momentum = new LinkedHashMap<>();
        state.forEach((k, v) -> momentum.put(String.valueOf(k), (TensorData) ((Map<?, ?>) v).get("momentum_buffer")));
        assertMatches(momentum, EXPECTED.get("checkpoint_momentum"));
        Map<?, ?> group = (Map<?, ?>) ((List<?>) optimizer.get("param_groups")).get(0);
        assertThat(group.get("lr")).isEqualTo(0.1);
        assertThat(group.get("momentum")).isEqualTo(0.9);
        assertThat(group.get("nesterov")).isEqualTo(false);
        assertThat(group.get("params")).isEqualTo(List.of(0L, 1L, 2L, 3L));
    }

    @Test
    void readsSafetensors() {
        assertMatches(WeightFiles.readStateDict(Fixtures.path("weights.safetensors")).stateDict(),
                EXPECTED.get("safetensors"));
    }

    @Test
    void refusesAPickleThatWouldRunCode() {
        assertThatThrownBy(() -> WeightFiles.readStateDict(Fixtures.path("malicious.pt")))
                .isInstanceOf(InterchangeException.class)
                .hasMessageContaining("refusing to load global 'posix.system'")
                .hasMessageContaining("malicious.pt");
        assertThat(Path.of("/tmp/leno_pwned")).doesNotExist();
    }

    @Test
    void refusesArchivePathsThatEscapeTheirFolder(@TempDir Path dir) throws Exception {
        Path evil = dir.resolve("escape.pt");
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(evil))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("../outside/data.pkl"));
            zip.write(new byte[] {(byte) 0x80, 2, '}', '.'});
            zip.closeEntry();
        }
        assertThatThrownBy(() -> WeightFiles.readStateDict(evil)).isInstanceOf(InterchangeException.class)
                .hasMessageContaining("refusing archive entry '../outside/data.pkl'");
        // a storage key with a path in it is refused too
        Path key = dir.resolve("key.pt");
        PickleWriter.Pickled p = PickleWriter.write(new OrderedDict(Map.of("w", TensorData.scalarFloat(1f))));
        byte[] pickle = new String(p.pickle(), java.nio.charset.StandardCharsets.ISO_8859_1)
                .replace("X\u0001\u0000\u0000\u00000", "X\u0001\u0000\u0000\u0000/")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(key))) {
            zip.putNextEntry(new java.util.zip.ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
        }
        assertThatThrownBy(() -> WeightFiles.readStateDict(key)).hasMessageContaining("refusing storage key '/'");
    }

    @Test
    void refusesLegacyAndUnknownFilesWithAClearMessage(@TempDir Path dir) throws Exception {
        Path legacy = dir.resolve("legacy.pt");
        Files.write(legacy, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 0x0a, 0, 0, 0, 0, 0});
        assertThatThrownBy(() -> WeightFiles.readStateDict(legacy)).hasMessageContaining("legacy");
        Path text = dir.resolve("notes.txt");
        Files.writeString(text, "hello");
        assertThatThrownBy(() -> WeightFiles.readStateDict(text)).hasMessageContaining("notes.txt");
        assertThatThrownBy(() -> WeightFiles.readStateDict(dir.resolve("absent.pt")))
                .hasMessageContaining("absent.pt: no such file");
    }

    @Test
    void roundTripsTorchZipAndSafetensorsExactly(@TempDir Path dir) {
        Map<String, TensorData> original = WeightFiles.readStateDict(Fixtures.path("plain_state_dict.pt")).stateDict();
        Path pt = dir.resolve("sd.pt");
        WeightFiles.writeStateDict(pt, original);
        Map<String, TensorData> back = WeightFiles.readStateDict(pt).stateDict();
        assertThat(back.keySet()).containsExactlyElementsOf(original.keySet());
        original.forEach((k, v) -> assertThat(back.get(k)).as(k).isEqualTo(v));

        Path st = dir.resolve("sd.safetensors");
        WeightFiles.writeStateDict(st, original);
        Map<String, TensorData> back2 = WeightFiles.readStateDict(st).stateDict();
        original.forEach((k, v) -> assertThat(back2.get(k)).as(k).isEqualTo(v));
    }

    @Test
    void roundTripsACheckpointDictWithNestedContainers(@TempDir Path dir) {
        Map<String, Object> ckpt = new LinkedHashMap<>();
        ckpt.put("epoch", 5);
        ckpt.put("arch", "resnet");
        ckpt.put("state_dict", new OrderedDict(Map.of("w", TensorData.ofFloats(new long[] {2}, 1f, -2f))));
        ckpt.put("best_acc1", TensorData.scalarFloat(71.5f));
        ckpt.put("val_acc1", 70.25);
        ckpt.put("optimizer", Map.of("state", Map.of(0L, Map.of("momentum_buffer", TensorData.ofFloats(new long[] {2}, 3f, 4f))),
                "param_groups", List.of(new LinkedHashMap<>(Map.of("lr", 0.1, "nesterov", false, "params", List.of(0L))))));
        ckpt.put("big", 1L << 40);
        ckpt.put("negative", -3L);
        ckpt.put("none", null);
        ckpt.put("tuple", PyTuple.of(1L, "two"));
        Path file = dir.resolve("c.pth.tar");
        TorchZip.write(file, ckpt);
        Map<?, ?> back = (Map<?, ?>) WeightFiles.readObject(file);
        assertThat(back.get("epoch")).isEqualTo(5L);
        assertThat(back.get("big")).isEqualTo(1L << 40);
        assertThat(back.get("negative")).isEqualTo(-3L);
        assertThat(back.containsKey("none")).isTrue();
        assertThat(back.get("none")).isNull();
        assertThat(back.get("tuple")).isEqualTo(PyTuple.of(1L, "two"));
        assertThat(back.get("state_dict")).isInstanceOf(OrderedDict.class);
        assertThat(((TensorData) back.get("best_acc1")).toDoubles()).containsExactly(71.5);
        assertThat(WeightFiles.readStateDict(file).arch()).contains("resnet");
    }

    @Test
    void stripsTheModulePrefixOnlyWhenEveryKeyHasIt() {
        TensorData t = TensorData.scalarLong(1);
        assertThat(WeightFiles.stripPrefix(new LinkedHashMap<>(Map.of("module.a", t, "module.b", t)), "module.").keySet())
                .containsExactlyInAnyOrder("a", "b");
        assertThat(WeightFiles.stripPrefix(new LinkedHashMap<>(Map.of("module.a", t, "b", t)), "module.").keySet())
                .containsExactlyInAnyOrder("module.a", "b");
    }

    private static List<String> jsonStrings(JsonNode array) {
        List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
