package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.leno.internal.testing.Fixtures;

/**
 * Every schedule's rates, per epoch and per update, against PyTorch 1.13's schedulers composed as
 * torchvision's train.py composes them (scripts/make_schedule_fixtures.py).
 */
class ScheduleTest {

    @Test
    void ratesEqualPyTorchsComposedSchedulers() {
        JsonNode cases = Fixtures.json("schedules.json");
        assertThat(cases.size()).isGreaterThanOrEqualTo(10);
        for (JsonNode c : cases) {
            LrSchedule s = schedule(c);
            int unit = c.path("updates").asInt(1);
            JsonNode rates = c.get("rates");
            assertThat(rates.size()).isEqualTo(c.get("epochs").asInt() * unit);
            for (int t = 0; t < rates.size(); t++) {
                double expected = rates.get(t).asDouble();
                double actual = unit == 1 ? s.lr(t) : s.lr(t / unit, t % unit, unit);
                assertThat(actual).as("%s, step %d", c, t).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12 + 1e-9 * expected));
            }
        }
    }

    private static LrSchedule schedule(JsonNode c) {
        int[] milestones = c.has("milestones")
                ? StreamSupport.stream(c.get("milestones").spliterator(), false).mapToInt(JsonNode::asInt).toArray() : new int[0];
        String kind = c.get("kind").asText();
        return new LrSchedule(c.get("base").asDouble(), new TrainConfig.Schedule(c.get("epochs").asInt(), 0,
                LrSchedulerKind.parse(kind), milestones, c.path("reduce").asDouble(0.1), c.path("step_size").asInt(30),
                c.path("gamma").asDouble(0.1), c.path("lr_min").asDouble(0), c.path("warmup").asInt(0),
                c.path("method").asText("constant").equals("linear") ? WarmupMethod.LINEAR : WarmupMethod.CONSTANT,
                c.path("decay").asDouble(0.01), c.has("updates"), c.path("compat").asBoolean(false)));
    }
}
