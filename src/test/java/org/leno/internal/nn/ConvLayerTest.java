package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A 1x1 convolution computed as a matrix product is the convolution: output and both gradients. */
class ConvLayerTest {

    @Test
    void smallBfloat16PointwiseConvolutionIsTheConvolution() {
        Natives.load();
        Container parent = new Container("parent");
        ConvLayer layer = new Layers().conv1x1(parent, "conv", 48, 40, 1);
        layer.weight().requires_grad_(true);
        for (long size : new long[] {7, 2, 8}) { // at and below MATMUL_MAX_PIXELS as a product, 8x8 as a convolution
            try (NativeScope scope = NativeScope.open()) {
                Tensor x32 = torch.randn(3, 48, size, size).contiguous(torch.MemoryFormat.ChannelsLast);
                Tensor x = x32.to(torch.ScalarType.BFloat16).requires_grad_(true);
                Tensor upstream = torch.randn(3, 40, size, size);
                Tensor y = underAutocast(() -> layer.forward(x));
                assertThat(y.grad_fn().name().getString()).as("the node that made the %dx%d output", size, size)
                        .isEqualTo(size <= 7 ? "PermuteBackward0" : "ConvolutionBackward0");
                assertThat(Tensors.is(y, torch.ScalarType.BFloat16)).isTrue();
                assertThat(y.is_contiguous(torch.MemoryFormat.ChannelsLast)).isTrue();
                y.to(torch.ScalarType.Float).mul(upstream).sum().backward();
                // the reference in float64 from the same bf16 values
                Tensor xd = x.detach().to(torch.ScalarType.Double).requires_grad_(true);
                Tensor wd = layer.weight().detach().to(torch.ScalarType.BFloat16).to(torch.ScalarType.Double).requires_grad_(true);
                Tensor yd = torch.conv2d(xd, wd, new TensorOptional(), new long[] {1, 1}, new long[] {0, 0}, new long[] {1, 1}, 1);
                yd.mul(upstream.to(torch.ScalarType.Double)).sum().backward();
                assertThat(relativeError(y, yd)).as("output %dx%d", size, size).isLessThan(1e-2);
                assertThat(relativeError(x.grad(), xd.grad())).as("input gradient %dx%d", size, size).isLessThan(1e-2);
                assertThat(relativeError(layer.weight().grad(), wd.grad())).as("weight gradient %dx%d", size, size)
                        .isLessThan(1e-2);
                assertThat(Tensors.is(layer.weight().grad(), torch.ScalarType.Float)).isTrue();
                layer.weight().grad().zero_();
            }
        }
    }

    @Test
    void anInputThatIsNotChannelsLastTakesTheConvolution() {
        Natives.load();
        ConvLayer layer = new Layers().conv1x1(new Container("parent"), "conv", 16, 8, 1);
        try (NativeScope scope = NativeScope.open()) {
            Tensor x = torch.randn(2, 16, 2, 2).to(torch.ScalarType.BFloat16).requires_grad_(true);
            Tensor y = underAutocast(() -> layer.forward(x));
            assertThat(y.grad_fn().name().getString()).isEqualTo("ConvolutionBackward0");
        }
    }

    /** As a bf16 training step runs its forward. */
    private static Tensor underAutocast(Supplier<Tensor> forward) {
        var cpu = ComputeDevice.cpu().type();
        torch.set_autocast_dtype(cpu, torch.ScalarType.BFloat16);
        torch.set_autocast_enabled(cpu, true);
        try {
            return forward.get();
        } finally {
            torch.set_autocast_enabled(cpu, false);
            torch.clear_cache();
        }
    }

    private static double relativeError(Tensor actual, Tensor expected) {
        Tensor e = expected.to(torch.ScalarType.Double);
        return actual.to(torch.ScalarType.Double).sub(e).norm().item_double() / e.norm().item_double();
    }
}
