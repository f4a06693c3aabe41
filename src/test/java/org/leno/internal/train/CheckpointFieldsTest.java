package org.leno.internal.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.TensorData;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.nn.Tensors;

/** Checkpoint fields are range-checked before use (issue 11, item 5): each crafted value is one line naming the field. */
class CheckpointFieldsTest {
    private static final Path FILE = Path.of("crafted.pth.tar");

    private static Checkpoint.Resumed read(Map<String, Object> checkpoint) {
        return Checkpoint.read(new WeightFiles.Loaded(FILE, Map.of(), Optional.of(checkpoint)));
    }

    private static Map<String, Object> withEpoch(Object epoch) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("epoch", epoch);
        c.put("best_acc1", 50.0);
        return c;
    }

    @Test
    void epochsThatWrapNegativeOrAreAbsurdAreRefused() {
        assertThat(read(withEpoch(7L)).epoch()).isEqualTo(7);
        for (Object epoch : List.of((1L << 31) + 1, -1L, 1_000_001L)) {
            assertThatThrownBy(() -> read(withEpoch(epoch))).isInstanceOf(InterchangeException.class)
                    .hasMessage(FILE + ": checkpoint field 'epoch' is " + epoch + ", outside 0..1000000");
        }
        assertThatThrownBy(() -> read(withEpoch("7"))).hasMessage(FILE + ": checkpoint field 'epoch' is not a whole number");
        Map<String, Object> best = withEpoch(3L);
        best.put("best_acc1", 1e9);
        assertThatThrownBy(() -> read(best)).hasMessage(FILE + ": best_acc1 1.0E9 is not a percentage");
    }

    @Test
    void aMidEpochPositionMustBelongToTheCheckpointsEpoch() {
        Map<String, Object> c = withEpoch(2L);
        c.put("leno", Map.of("mid_epoch", Map.of("epoch", 5L, "batches_done", 3L, "count", 10L, "loss_sum", 1.0,
                "acc1_sum", 1.0, "acc5_sum", 1.0)));
        assertThatThrownBy(() -> read(c)).hasMessage(FILE + ": mid_epoch.epoch 5 is not the checkpoint's epoch 2");
        c.put("leno", Map.of("mid_epoch", Map.of("epoch", 2L, "batches_done", -3L, "count", 10L, "loss_sum", 1.0,
                "acc1_sum", 1.0, "acc5_sum", 1.0)));
        assertThatThrownBy(() -> read(c)).hasMessageContaining("'mid_epoch.batches_done' is -3, outside 0..");
    }

    @Test
    void optimizerStateWithStringKeysIsOneLineWithItsKeyEscaped() {
        Tensor p = Tensors.fromFloats(new float[] {1f, 2f}, 2);
        Sgd sgd = new Sgd(List.of(p), 0.1, 0.9, 0, false);
        Map<String, Object> state = Map.of("state", Map.of("w\u001b[31m", Map.of("momentum_buffer",
                TensorData.ofFloats(new long[] {2}, new float[] {0f, 0f}))), "param_groups", List.of(Map.of("lr", 0.1)));
        assertThatThrownBy(() -> sgd.loadStateDict(state, FILE.toString())).isInstanceOf(InterchangeException.class)
                .satisfies(e -> assertThat(e.getMessage()).startsWith(FILE + ": optimizer state key ")
                        .endsWith(" is not a parameter index").doesNotContain("\u001b").doesNotContain("\n"));
    }
}
