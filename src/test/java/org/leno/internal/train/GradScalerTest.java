package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.Tensors;
import org.leno.internal.testing.Fixtures;

/**
 * The loss scaler against PyTorch 1.13's GradScaler over scripted sequences of finite, inf, NaN and
 * overflowing gradients (scripts/make_grad_scaler_fixture.py: the class's own Python code, with its two
 * CUDA-only kernels transcribed, since this machine has no CUDA): the scale used at every step, the
 * scaled gradients, which steps were skipped, the parameters after each step, the growth tracker,
 * and the final state_dict; and a resume from the state_dict in the middle continues identically.
 */
class GradScalerTest {
    private static final double LR = 0.125;

    /** The gradient of the unscaled loss at a step, as the fixture script makes it. */
    static float[] coefficients(String kind, int step) {
        int n = 4;
        float[] c = new float[n];
        for (int i = 0; i < n; i++) {
            c[i] = (float) (0.25 * ((step * 7 + i * 3) % 11 - 5) + 0.125);
        }
        switch (kind) {
            case "inf" -> c[step % n] = Float.POSITIVE_INFINITY;
            case "nan" -> c[(step + 1) % n] = Float.NaN;
            case "overflow" -> c[step % n] = (float) (3.0e38 / 1024.0);
            default -> { }
        }
        return c;
    }

    static GradScaler scaler(JsonNode init) {
        return init.has("init_scale") ? new GradScaler(init.get("init_scale").asDouble(),
                init.get("growth_factor").asDouble(), init.get("backoff_factor").asDouble(),
                init.get("growth_interval").asInt()) : new GradScaler();
    }

    /** Runs steps [from, to) of a sequence; checks every recorded step; returns the parameter. */
    static Tensor run(JsonNode sequence, GradScaler scaler, Tensor param, int from, int to) {
        Map<Integer, JsonNode> recorded = new java.util.HashMap<>();
        sequence.get("steps").forEach(s -> recorded.put(s.get("index").asInt(), s));
        List<String> kinds = kinds(sequence);
        List<Tensor> params = List.of(param);
        Sgd sgd = new Sgd(params, LR, 0, 0, false);
        for (int step = from; step < to; step++) {
            try (NativeScope scope = NativeScope.open()) {
                if (param.grad().defined()) {
                    param.grad().zero_(); // optimizer.zero_grad() of PyTorch 1.13 (set_to_none=False)
                }
                double scaleUsed = scaler.getScale();
                Tensor c = Tensors.fromFloats(coefficients(kinds.get(step), step), 4);
                Tensor loss = param.mul(c).sum();
                scaler.scale(loss).backward();
                float[] scaledGrad = Tensors.floats(param.grad());
                boolean stepped = scaler.step(params, sgd::step);
                scaler.update();
                JsonNode expected = recorded.get(step);
                if (expected == null) {
                    continue;
                }
                String at = sequence.get("name").asText() + " step " + step + " (" + kinds.get(step) + ")";
                assertThat(scaleUsed).as(at + ": scale used").isEqualTo(expected.get("scale_used").asDouble());
                for (int i = 0; i < 4; i++) {
                    JsonNode g = expected.get("scaled_grad").get(i);
                    float want = g.isNumber() ? g.floatValue() : switch (g.asText()) {
                        case "inf" -> Float.POSITIVE_INFINITY;
                        case "-inf" -> Float.NEGATIVE_INFINITY;
                        default -> Float.NaN;
                    };
                    assertThat(Float.valueOf(scaledGrad[i])).as(at + ": scaled gradient " + i).isEqualTo(Float.valueOf(want));
                }
                assertThat(stepped).as(at + ": stepped").isEqualTo(expected.get("stepped").asBoolean());
                float[] p = Tensors.floats(param);
                for (int i = 0; i < 4; i++) {
                    assertThat(p[i]).as(at + ": parameter " + i).isEqualTo(expected.get("param").get(i).floatValue());
                }
                assertThat(scaler.getScale()).as(at + ": scale after update").isEqualTo(expected.get("scale").asDouble());
                assertThat(scaler.growthTracker()).as(at + ": growth tracker").isEqualTo(expected.get("growth_tracker").asInt());
            }
        }
        return param;
    }

    static List<String> kinds(JsonNode sequence) {
        // the sequences' layouts, as in the script (only the recorded steps are in the file)
        String name = sequence.get("name").asText();
        List<String> k = new ArrayList<>();
        switch (name) {
            case "interval3" -> {
                add(k, "ok", 3); add(k, "inf", 1); add(k, "ok", 4); add(k, "nan", 2); add(k, "ok", 7);
                add(k, "overflow", 1); add(k, "ok", 3);
            }
            case "growth" -> {
                add(k, "ok", 30); add(k, "overflow", 1); add(k, "ok", 5); add(k, "inf", 1); add(k, "ok", 3);
            }
            case "defaults" -> {
                add(k, "ok", 1500); add(k, "inf", 1); add(k, "ok", 2001);
            }
            default -> throw new IllegalStateException(name);
        }
        sequence.get("steps").forEach(s -> assertThat(k.get(s.get("index").asInt())).isEqualTo(s.get("kind").asText()));
        return k;
    }

    private static void add(List<String> kinds, String kind, int n) {
        for (int i = 0; i < n; i++) {
            kinds.add(kind);
        }
    }

    static Tensor parameter() {
        Tensor p = NativeScope.escape(Tensors.fromFloats(new float[] {0.5f, -1.0f, 2.0f, 0.0f}, 4));
        p.requires_grad_(true);
        return p;
    }

    @Test
    void scaleSkippedStepsAndParametersEqualPyTorchsGradScaler() {
        Natives.load();
        JsonNode fixture = Fixtures.json("grad_scaler_sequence.json");
        int checked = 0;
        for (JsonNode sequence : fixture.get("sequences")) {
            GradScaler scaler = scaler(sequence.get("init"));
            int n = kinds(sequence).size();
            run(sequence, scaler, parameter(), 0, n);
            JsonNode want = sequence.get("state_dict");
            Map<String, Object> got = scaler.stateDict();
            assertThat(got.keySet()).containsExactly("scale", "growth_factor", "backoff_factor", "growth_interval",
                    "_growth_tracker");
            want.fields().forEachRemaining(e -> assertThat(((Number) got.get(e.getKey())).doubleValue())
                    .as(e.getKey()).isEqualTo(e.getValue().asDouble()));
            checked += sequence.get("steps").size();
        }
        assertThat(checked).isGreaterThan(60);
    }

    @Test
    void aResumeFromTheStateDictContinuesExactly() {
        Natives.load();
        JsonNode defaults = Fixtures.json("grad_scaler_sequence.json").get("sequences").get(2);
        GradScaler first = scaler(defaults.get("init"));
        Tensor p = run(defaults, first, parameter(), 0, 1750);
        Map<String, Object> saved = first.stateDict();
        assertThat(saved.get("_growth_tracker")).isEqualTo(249L);
        GradScaler resumed = new GradScaler(1.0, 3.0, 0.25, 7); // overwritten by the state dict
        resumed.loadStateDict(saved, "checkpoint.pth.tar");
        run(defaults, resumed, p, 1750, kinds(defaults).size());
        assertThat(resumed.getScale()).isEqualTo(65536.0);
    }

    @Test
    void misuseAndBadStateAreErrors() {
        Natives.load();
        GradScaler s = new GradScaler();
        Tensor p = parameter();
        try (NativeScope scope = NativeScope.open()) {
            s.scale(p.sum()).backward();
            s.unscale(List.of(p));
            assertThatThrownBy(() -> s.unscale(List.of(p))).isInstanceOf(IllegalStateException.class);
            s.step(List.of(p), () -> { });
            assertThatThrownBy(() -> s.step(List.of(p), () -> { })).isInstanceOf(IllegalStateException.class);
            s.update();
            assertThatThrownBy(s::update).isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> s.loadStateDict(Map.of("scale", 2.0), "x.pth.tar"))
                .hasMessage("x.pth.tar: the loss scaler state has no number 'growth_factor'");
    }
}
