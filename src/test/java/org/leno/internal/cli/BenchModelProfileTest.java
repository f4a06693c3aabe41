package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.leno.internal.testing.Cli;

/**
 * `leno bench model --profile --json` and `leno bench gemm --json` carry their fields, and they
 * add up: the operators' times sum to the measured step within 10%, and the efficiency is the
 * useful FLOP/s over the peak. (Nothing here judges a speed.)
 */
class BenchModelProfileTest {
    static final ObjectMapper JSON = new ObjectMapper();
    /** LeNo-ResNet-50's multiply-adds of one 32x32 image (the figure `leno info` is tested to print). */
    static final long LENO50_MACS_AT_32 = 95043584L;

    @Test
    void profileCoversTheStepAndEfficiencyIsUsefulFlopsOverPeak() throws Exception {
        int batch = 8;
        Cli.Result r = Cli.run("bench", "model", "-a", "lenoresnet", "-b", String.valueOf(batch),
                "--image-size", "32", "--warmup", "1", "--iters", "2", "--threads", "2", "--profile", "--profile-steps", "2",
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());

        assertThat(j.get("macs_per_image").asLong()).isEqualTo(LENO50_MACS_AT_32);
        double useful = j.get("useful_flops_per_step").asDouble();
        assertThat(useful).isEqualTo(3.0 * 2.0 * LENO50_MACS_AT_32 * batch);
        double stepSeconds = j.get("step_s").asDouble();
        assertThat(j.get("images_per_s").asDouble()).isCloseTo(batch / stepSeconds, within(1e-6 * batch / stepSeconds));
        double flops = j.get("flops_per_s").asDouble();
        assertThat(flops).isCloseTo(useful / stepSeconds, within(1e-6 * flops));
        double peak = j.get("peak_flops_per_s").asDouble();
        assertThat(peak).isPositive();
        assertThat(j.get("peak_kernel").asText()).contains("fp32");
        assertThat(j.get("efficiency").asDouble()).isCloseTo(flops / peak, within(1e-9));

        JsonNode profile = j.get("profile");
        double profiled = profile.get("step_s").asDouble();
        double operators = 0;
        double all = 0;
        Map<String, Double> calls = new HashMap<>();
        for (JsonNode row : profile.get("rows")) {
            all += row.get("s_per_step").asDouble();
            assertThat(row.get("share").asDouble()).isCloseTo(row.get("s_per_step").asDouble() / profiled, within(1e-9));
            if (!row.get("remainder").asBoolean()) {
                operators += row.get("s_per_step").asDouble();
                calls.put(row.get("phase").asText() + " " + row.get("operator").asText(), row.get("calls_per_step").asDouble());
            }
        }
        assertThat(all).as("every row, remainders included").isCloseTo(profiled, within(1e-6 * profiled));
        // the named operators cover most of the step; the rest is time between them, which varies with the machine
        // (0.88 of the step in one of three runs of this class alone on the 2-core AMD EPYC family 26 at batch 8)
        assertThat(operators / profiled).as("operators' share of the profiled step").isBetween(0.8, 1.1);
        assertThat(profile.get("operator_share").asDouble()).isCloseTo(operators / profiled, within(1e-9));
        // LeNo-ResNet-50: 54 convolutions, 53 BatchNorms, 162 parameter tensors (54 + 2 x 53 + fc's 2); one node each per step.
        // A convolution is named after the path it ran on (conv2d, or a verified fallback: matmul, thnn_conv2d;
        // docs/kernels.md); libtorch's own convolutions' backward nodes after their kernel and stride.
        double onLibtorch = matching(calls, "forward conv2d \\dx\\d stride \\d");
        assertThat(matching(calls, "forward (conv2d|matmul|thnn_conv2d) \\dx\\d stride \\d")).isEqualTo(54.0);
        assertThat(matching(calls, "backward ConvolutionBackward0 \\dx\\d stride \\d")).isEqualTo(onLibtorch).isPositive();
        assertThat(matching(calls, "forward (conv2d|thnn_conv2d) 3x3 stride 2")).isEqualTo(5.0);
        assertThat(calls).containsEntry("forward batch_norm", 53.0).containsEntry("backward NativeBatchNormBackward0", 53.0)
                .containsEntry("backward AccumulateGrad", 162.0).containsKey("optimizer step");
    }

    private static double matching(Map<String, Double> calls, String regex) {
        return calls.entrySet().stream().filter(e -> e.getKey().matches(regex)).mapToDouble(Map.Entry::getValue).sum();
    }

    @Test
    void gemmReportsBothPrecisionsAndTheirPeaks() throws Exception {
        Cli.Result r = Cli.run("bench", "gemm", "--size", "256", "--conv-batch", "1", "--threads", "2", "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode j = JSON.readTree(r.out());
        Map<String, Double> best = new HashMap<>();
        for (JsonNode k : j.get("kernels")) {
            double rate = k.get("flops").asDouble() / k.get("seconds").asDouble();
            assertThat(k.get("flops_per_s").asDouble()).isCloseTo(rate, within(1e-6 * rate));
            best.merge(k.get("precision").asText(), rate, Math::max);
        }
        assertThat(j.get("kernels")).hasSize(4);
        assertThat(j.get("peak_flops_per_s").get("fp32").asDouble()).isCloseTo(best.get("fp32"), within(1e-6 * best.get("fp32")));
        assertThat(j.get("peak_flops_per_s").get("bf16").asDouble()).isCloseTo(best.get("bf16"), within(1e-6 * best.get("bf16")));
        assertThat(Cli.run("bench", "gemm", "--size", "3").err()).contains("--size").doesNotContain("Exception");
    }
}
