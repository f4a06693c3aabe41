package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.interop.TensorData;

/** The binding calls our memory savings rest on: scoped handles, lazy host views, device moves. */
class NativeLifetimeTest {

    @Test
    void ownedFreesWhatTheBodyMadeAndKeepsOnlyItsResult() {
        Natives.load();
        try (NativeScope outer = NativeScope.open()) {
            Tensor a = torch.ones(4);
            assertThat(a.use_count()).isEqualTo(1);
            Tensor result = NativeScope.owned(() -> {
                Tensor handle = new Tensor(a); // C++ copy: a second handle on a's TensorImpl
                assertThat(a.use_count()).isEqualTo(2);
                handle.mul_(new Scalar(2.0));
                return handle.add(new Scalar(1.0));
            });
            // the body's extra handle is gone, its result alive and owned by us
            assertThat(a.use_count()).isEqualTo(1);
            assertThat(Tensors.floats(result)).containsExactly(3f, 3f, 3f, 3f);
            result.close();
            assertThat(result.isNull()).isTrue();

            // a result that was made outside (passed through) only gains a reference
            Tensor passed = NativeScope.owned(() -> a);
            assertThat(passed).isSameAs(a);
            passed.close();
            assertThat(a.isNull()).isFalse();
            assertThat(Tensors.floats(a)).containsExactly(2f, 2f, 2f, 2f);

            Tensor adopted = NativeScope.adopt(NativeScope.owned(() -> torch.zeros(2)));
            try (NativeScope inner = NativeScope.open()) {
                assertThat(Tensors.floats(adopted)).containsExactly(0f, 0f);
            }
            assertThat(adopted.isNull()).as("adopted by the outer scope, not the inner one").isFalse();
            outer.close();
            assertThat(adopted.isNull()).isTrue();
        }
    }

    @Test
    void lazyHostViewsMatchHeapCopiesForContiguousAndChannelsLastTensors() {
        Natives.load();
        try (NativeScope scope = NativeScope.open()) {
            Tensor x = torch.arange(new Scalar(2 * 3 * 4 * 5)).to(torch.ScalarType.Float).reshape(2, 3, 4, 5);
            Tensor cl = x.contiguous(torch.MemoryFormat.ChannelsLast);
            assertThat(cl.is_contiguous()).isFalse();
            float[] expected = new float[2 * 3 * 4 * 5];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = i;
            }
            for (Tensor t : new Tensor[] {x, cl}) {
                TensorData viaView = TensorData.copyOf(Tensors.lazy(t));
                assertThat(viaView.toFloats()).containsExactly(expected); // logical (NCHW) order
                assertThat(viaView.shape()).containsExactly(2, 3, 4, 5);
                assertThat(viaView).isEqualTo(Tensors.toHost(t));
            }
        }
    }

    @Test
    void cpuDeviceMovesNothingAndCudaIsAClearErrorWithoutTheGpuNatives() {
        ComputeDevice cpu = ComputeDevice.cpu();
        try (NativeScope scope = NativeScope.open()) {
            Tensor x = torch.randn(2, 3, 4, 4).contiguous(torch.MemoryFormat.ChannelsLast);
            Tensor moved = cpu.put(x);
            assertThat(moved.data_ptr().address()).isEqualTo(x.data_ptr().address());
            assertThat(moved.is_contiguous(torch.MemoryFormat.ChannelsLast)).isTrue();
        }
        assertThat(cpu.type()).isEqualTo(torch.DeviceType.CPU);
        assertThat(cpu.toString()).isEqualTo("cpu");
        if (!torch.cuda_is_available()) {
            assertThatThrownBy(() -> ComputeDevice.cuda(1))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--gpu 1: no CUDA device is available");
        }
    }
}
