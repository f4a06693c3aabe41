package org.leno.internal.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.interop.DType;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;

/** The fixtures that scripts/make_fixtures.py wrote with PyTorch. */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path path(String name) {
        try {
            var url = Fixtures.class.getResource("/fixtures/" + name);
            if (url == null) {
                throw new IllegalStateException("missing fixture " + name);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode json(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/fixtures/" + name)) {
            return new ObjectMapper().readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies the folder {@code from} (a fixture) with everything in it to {@code to}. */
    public static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    /** splitmix64 of {@code index}, mapped to [-1, 1): the same formula as the fixture script. */
    public static double uniform(long index) {
        long z = index + 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53 * 2.0 - 1.0;
    }

    /** The fixture script's formula, entry by entry in state-dict order. */
    public static void fillDeterministic(ResidualNetwork net) {
        long offset = 0;
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : StateDict.of(net).entrySet()) {
                Tensor t = e.getValue();
                if (Tensors.dtype(t) != DType.F32) {
                    continue;
                }
                String key = e.getKey();
                long[] shape = Tensors.shape(t);
                int n = (int) t.numel();
                float[] v = new float[n];
                long fanIn = n / shape[0];
                for (int i = 0; i < n; i++) {
                    double u = uniform(offset + i);
                    double x;
                    if (key.endsWith("running_var")) {
                        x = 1.0 + 0.25 * (u + 1.0);
                    } else if (key.endsWith("running_mean") || key.endsWith("bias")) {
                        x = 0.1 * u;
                    } else if (shape.length == 1) {
                        x = 1.0 + 0.1 * u;
                    } else {
                        x = u * Math.sqrt((shape.length == 4 ? 6.0 : 1.0) / fanIn);
                    }
                    v[i] = (float) x;
                }
                offset += n;
                t.copy_(Tensors.fromFloats(v, shape));
            }
        }
    }

}
