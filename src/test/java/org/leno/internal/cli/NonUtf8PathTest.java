package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.testing.ChildJvm;
import org.leno.internal.testing.Fixtures;

/** Issue 11, item 10: an image whose file name is not valid UTF-8 (Latin-1 0xE9) opens from the command line. */
class NonUtf8PathTest {
    private static final byte[] NAME = {'c', 'a', 'f', (byte) 0xe9, '.', 'p', 'n', 'g'};

    @Test
    void theOriginalBytesOfALossyArgumentAreRecovered(@TempDir Path dir) throws IOException {
        Path file = RawArguments.fromBytes(concat(dir.toString().getBytes(StandardCharsets.UTF_8), "/".getBytes(), NAME));
        Files.write(file, new byte[] {42});
        byte[] raw = file.toString().getBytes(StandardCharsets.UTF_8); // what the name looks like decoded
        String decoded = new String(concat(dir.toString().getBytes(StandardCharsets.UTF_8), "/caf".getBytes(),
                new byte[] {(byte) 0xe9}, ".png".getBytes()), StandardCharsets.UTF_8);
        assertThat(decoded).contains("\ufffd");
        assertThat(Files.exists(Path.of(decoded))).isFalse(); // the JVM's own decoding cannot open it
        List<byte[]> argv = List.of("java".getBytes(), "predict".getBytes(),
                concat(dir.toString().getBytes(StandardCharsets.UTF_8), "/".getBytes(), NAME));
        RawArguments args = RawArguments.of(new String[] {"predict", decoded}, argv, StandardCharsets.UTF_8);
        assertThat(Files.readAllBytes(args.toPath(decoded))).containsExactly(42);
        assertThat(raw).isNotEmpty();
        // argv that is not this command line: nothing is recovered
        RawArguments other = RawArguments.of(new String[] {"x", decoded}, argv, StandardCharsets.UTF_8);
        assertThat(Files.exists(other.toPath(decoded))).isFalse();
    }

    @Test
    void predictOpensALatin1NamedImageGivenByAShell(@TempDir Path dir) throws Exception {
        Path weights = dir.resolve("w.safetensors");
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 3))) {
            ModelWeights.save(net, weights);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        for (String locale : new String[] {"C.UTF-8", "C"}) {
            String script = "cp \"$4\" \"$(printf '%s/caf\\351.png' \"$3\")\" && exec \"$0\" $JVM_FLAGS -cp \"$1\" org.leno.internal.cli.Main predict"
                    + " -a lenoresnet --n_classes 3 --weights \"$2\" --val_resize 32 --val_crop_size 32 --topk 1"
                    + " \"$(printf '%s/caf\\351.png' \"$3\")\" \"$4\""; // two images: each result under its path
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", script, java, System.getProperty("java.class.path"),
                    weights.toString(), dir.toString(), Fixtures.path("rgb.png").toString()).redirectErrorStream(true);
            pb.environment().put("LC_ALL", locale);
            pb.environment().put("JVM_FLAGS", String.join(" ", ChildJvm.flags()));
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(locale + ": " + out).isZero();
            assertThat(out).as(locale).contains("/caf").contains(".png").containsPattern("%\\s+\\d").doesNotContain("skipped");
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
