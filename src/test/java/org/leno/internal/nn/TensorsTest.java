package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/** The binding pitfall that {@link Tensors#is} works around (docs/development.md). */
class TensorsTest {

    @Test
    void dtypesCompareByValueWhereTheBindingsEnumNeverEqualsItsConstant() {
        Natives.load();
        try (NativeScope scope = NativeScope.open()) {
            Tensor floats = torch.zeros(2);
            Tensor halves = floats.to(torch.ScalarType.BFloat16);
            // the pitfall itself: when a binding update fixes it, this fails and the workaround can go
            assertThat(floats.scalar_type() == torch.ScalarType.Float).isFalse();
            assertThat(floats.scalar_type().value).isEqualTo(torch.ScalarType.Float.value);
            assertThat(Tensors.is(floats, torch.ScalarType.Float)).isTrue();
            assertThat(Tensors.is(halves, torch.ScalarType.BFloat16)).isTrue();
            assertThat(Tensors.is(halves, torch.ScalarType.Float)).isFalse();
        }
    }
}
