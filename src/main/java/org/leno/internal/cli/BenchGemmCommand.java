package org.leno.internal.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.PeakFlops;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "gemm", description = {
        "FLOP/s of a large matrix product and a large 3x3 convolution (channels-last), in fp32 and in bf16: "
                + "the best of several calls after a warm-up, sizes growing up to --size and --conv-batch until one call "
                + "takes 50 ms. The faster of the two is the precision's peak, "
                + "which `leno bench model` compares a training step with (its efficiency)."})
final class BenchGemmCommand implements Callable<Integer> {
    @Mixin
    ThreadsOption threads = new ThreadsOption();

    @Option(names = "--size", defaultValue = "2048", description = "Largest n of the n x n matrix product (default: ${DEFAULT-VALUE}).")
    int size;

    @Option(names = "--conv-batch", defaultValue = "32",
            description = "Largest batch of the convolution's 256 x 28 x 28 input (default: ${DEFAULT-VALUE}).")
    int convBatch;

    @Mixin
    JsonOption json = new JsonOption();

    @Override
    public Integer call() throws Exception {
        if (size < 16 || size > 16384) {
            throw new IllegalArgumentException("--size must be between 16 and 16384, got " + size);
        }
        if (convBatch < 1 || convBatch > 1024) {
            throw new IllegalArgumentException("--conv-batch must be between 1 and 1024, got " + convBatch);
        }
        threads.apply();
        PeakFlops peak = new PeakFlops(size, convBatch);
        List<PeakFlops.Kernel> all = new ArrayList<>();
        Map<String, Double> peaks = new LinkedHashMap<>();
        for (boolean bf16 : new boolean[] {false, true}) {
            List<PeakFlops.Kernel> kernels = peak.measure(bf16);
            all.addAll(kernels);
            peaks.put(PeakFlops.precision(bf16), PeakFlops.peak(kernels).flopsPerSecond());
        }
        if (json.enabled()) {
            List<Map<String, Object>> rows = new ArrayList<>();
            for (PeakFlops.Kernel k : all) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("operation", k.operation());
                row.put("precision", k.precision());
                row.put("shape", k.shape());
                row.put("flops", k.flops());
                row.put("seconds", k.seconds());
                row.put("flops_per_s", k.flopsPerSecond());
                rows.add(row);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("threads", torch.get_num_threads());
            out.put("kernels", rows);
            out.put("peak_flops_per_s", peaks);
            JsonOption.print(out);
            return 0;
        }
        System.out.printf("%d threads; best of several calls after a warm-up%n", torch.get_num_threads());
        for (PeakFlops.Kernel k : all) {
            System.out.printf("  %-7s %s  %8.1f GFLOP/s  (%s, %.1f ms)%n", k.operation(), k.precision(),
                    k.flopsPerSecond() / 1e9, k.shape(), k.seconds() * 1e3);
        }
        peaks.forEach((p, v) -> System.out.printf("peak %s: %.1f GFLOP/s%n", p, v / 1e9));
        return 0;
    }
}
