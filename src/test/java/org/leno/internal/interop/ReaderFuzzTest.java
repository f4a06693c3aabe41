package org.leno.internal.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.testing.Fixtures;

/**
 * Issue 11: thousands of seeded mutations of real weights files (PyTorch's fixtures and files our
 * writers make), each of which must load or be refused with our one-line InterchangeException
 * naming the file, with no other Throwable and within the read's memory limit. The suite runs
 * {@value #DEFAULT_CASES} cases; {@code scripts/fuzz_readers.sh N} runs N
 * ({@code -Dleno.fuzz.cases=N}, {@code -Dleno.fuzz.seed=S}; {@code -Dleno.fuzz.case=I} replays one case).
 */
class ReaderFuzzTest {
    static final int DEFAULT_CASES = 3000;

    private record Seed(String name, byte[] bytes, Mutations.Parts parts, ReadLimits modelLimits) {}

    @TempDir
    Path dir;

    @Test
    @Timeout(3600) // only a guard against a hang; a normal run takes seconds
    void everyMutatedFileLoadsOrIsRefusedWithOurOneLineError() throws IOException {
        int cases = Integer.getInteger("leno.fuzz.cases", DEFAULT_CASES);
        long seed = Long.getLong("leno.fuzz.seed", 11L);
        Integer only = Integer.getInteger("leno.fuzz.case");
        List<Seed> seeds = seeds();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        // in memory when the machine has a tmpfs: on ext4 mounted with discard, truncating a file per case costs ms
        Path scratch = Files.isWritable(Path.of("/dev/shm")) ? Files.createTempDirectory(Path.of("/dev/shm"), "leno-fuzz") : dir;
        Path file = scratch.resolve("case.pt");
        int loaded = 0;
        int refused = 0;
        long maxAllocated = 0;
        long maxNanos = 0;
        long readNanos = 0;
        long t0 = System.nanoTime();
        Map<String, Integer> refusals = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = only == null ? 0 : only; i < (only == null ? cases : only + 1); i++) {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + i);
            Seed s = seeds.get(rng.nextInt(seeds.size()));
            byte[] other = seeds.get(rng.nextInt(seeds.size())).bytes();
            byte[] mutated = Mutations.mutate(s.bytes(), s.parts(), other, rng);
            Files.write(file, mutated);
            boolean withModel = rng.nextBoolean();
            ReadLimits limits = withModel ? s.modelLimits() : ReadLimits.forFile(mutated.length);
            long allocatedBefore = mx.getCurrentThreadAllocatedBytes();
            long start = System.nanoTime();
            Throwable thrown = null;
            try {
                if (withModel) {
                    WeightFiles.readStateDict(file, limits);
                } else {
                    WeightFiles.readObject(file, limits);
                }
            } catch (Throwable t) {
                thrown = t;
            }
            maxNanos = Math.max(maxNanos, System.nanoTime() - start);
            readNanos += System.nanoTime() - start;
            long allocated = mx.getCurrentThreadAllocatedBytes() - allocatedBefore;
            maxAllocated = Math.max(maxAllocated, allocated);
            String where = "case " + i + " (" + s.name() + (withModel ? ", model limits" : "") + ")";
            if (thrown == null) {
                loaded++;
            } else if (thrown instanceof InterchangeException e) {
                refused++;
                refusals.merge(kind(e.getMessage()), 1, Integer::sum);
                String m = e.getMessage();
                if (m == null || m.contains("\n") || m.contains("\r") || !m.contains(file.toString())) {
                    problems.add(where + ": message not one line naming the file: " + m);
                }
            } else {
                problems.add(where + ": " + thrown);
            }
            if (allocated > limits.maxBytes()) {
                problems.add(where + ": allocated " + allocated + " bytes, over the limit of " + limits.maxBytes());
            }
        }
        Files.deleteIfExists(file);
        if (!scratch.equals(dir)) {
            Files.deleteIfExists(scratch);
        }
        String summary = String.format("fuzz_readers: %d cases (seed %d): %d loaded, %d refused with InterchangeException,"
                        + " %d other outcomes; largest heap allocation of one case %.1f MiB; slowest case %.0f ms",
                loaded + refused + problems.size(), seed, loaded, refused, problems.size(), maxAllocated / 1048576.0,
                maxNanos / 1e6);
        System.out.println(summary);
        System.out.printf("fuzz_readers: %.1f s in all, %.1f s of it reading%n", (System.nanoTime() - t0) / 1e9, readNanos / 1e9);
        System.out.println("fuzz_readers: refusals by kind " + refusals);
        Files.writeString(Path.of("target", "fuzz-readers.txt"), summary + "\n" + "refusals by kind " + refusals + "\n");
        assertThat(problems).as(summary).isEmpty();
        assertThat(loaded).as("some mutations still load (the fuzzer is not only breaking the container)").isPositive();
    }

    /** A refusal's kind, by the part of the reader that refused it. */
    private static String kind(String message) {
        String m = message.substring(message.indexOf(": ") + 2);
        if (m.contains("would take more than")) {
            return "memory limit";
        }
        if (m.contains("refusing to load global") || m.contains("refusing to call") || m.contains("refusing to set")
                || m.contains("refusing storage key")) {
            return "pickle: refused global or call";
        }
        if (m.matches(".* at byte \\d+.*") || m.contains("pickle")) {
            return "pickle: malformed";
        }
        if (m.startsWith("tensor ") && (m.contains("reaches element") || m.contains(" view ") || m.contains("absurd")
                || m.contains("negative size") || m.contains(" strides "))) {
            return "tensor view";
        }
        if (m.contains("record ") || m.contains("zip") || m.contains("storage ")) {
            return "zip container or records";
        }
        if (m.contains("safetensors") || m.startsWith("tensor '") || m.contains("trailing bytes")
                || m.contains("past the end")) {
            return "safetensors header or layout";
        }
        if (m.startsWith("holds a") || m.contains("not a named tensor")) {
            return "not a state dict";
        }
        return "other: " + m.substring(0, Math.min(m.length(), 50));
    }

    private List<Seed> seeds() throws IOException {
        List<Seed> seeds = new ArrayList<>();
        for (String f : List.of("plain_state_dict.pt", "ordered_state_dict.pt", "reference_checkpoint.pth.tar",
                "weights.safetensors", "malicious.pt")) {
            seeds.add(seed(f, Fixtures.path(f)));
        }
        Map<String, TensorData> ours = new LinkedHashMap<>();
        ours.put("conv.weight", TensorData.ofFloats(new long[] {2, 1, 2, 2}, 1, -2, 3, -4, 5, -6, 7, -8));
        ours.put("bn.num_batches_tracked", TensorData.scalarLong(7));
        ours.put("fc.bias", TensorData.ofFloats(new long[] {3}, 0.5f, 0.25f, -1f));
        Path sd = dir.resolve("ours.pt");
        WeightFiles.writeStateDict(sd, ours);
        seeds.add(seed("our state dict", sd));
        Path st = dir.resolve("ours.safetensors");
        WeightFiles.writeStateDict(st, ours);
        seeds.add(seed("our safetensors", st));
        Map<String, Object> ckpt = new LinkedHashMap<>();
        ckpt.put("epoch", 3L);
        ckpt.put("arch", "lenoresnet");
        ckpt.put("state_dict", new OrderedDict(ours));
        ckpt.put("best_acc1", TensorData.scalarFloat(12.5f));
        // ordered maps only: Map.of iterates in an order that changes from one JVM to the next
        Map<String, Object> group = new LinkedHashMap<>();
        group.put("lr", 0.1);
        group.put("params", List.of(0L, 1L, 2L));
        Map<String, Object> optimizer = new LinkedHashMap<>();
        optimizer.put("state", Map.of(0L, Map.of("momentum_buffer", ours.get("conv.weight"))));
        optimizer.put("param_groups", List.of(group));
        ckpt.put("optimizer", optimizer);
        ckpt.put("tuple", PyTuple.of(1L, "two", null, 2.5, true));
        Path c = dir.resolve("ours.pth.tar");
        TorchZip.write(c, ckpt);
        seeds.add(seed("our checkpoint", c));
        return seeds;
    }

    private static Seed seed(String name, Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            Map<String, Long> sizes = new LinkedHashMap<>();
            try {
                WeightFiles.readStateDict(file).stateDict().forEach((k, t) -> sizes.put(k, (long) t.data().length));
            } catch (InterchangeException e) {
                sizes.put("w", 1024L); // the malicious fixture has no state dict
            }
            return new Seed(name, bytes, Mutations.parts(file, bytes), ReadLimits.forModel(sizes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
