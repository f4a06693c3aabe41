package org.leno.internal.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The fused SGD kernel, called through the dispatcher, against the update written out in float64. */
class OptimizerKernelsTest {
    @ParameterizedTest(name = "nesterov {0}, weight decay {1}")
    @CsvSource({"false,0.0", "false,0.0001", "true,0.05"})
    void fusedSgdIsTorchOptimSgdOverTwoSteps(boolean nesterov, double weightDecay) {
        Natives.load();
        OptimizerKernels kernels = OptimizerKernels.find().orElseThrow();
        try (NativeScope scope = NativeScope.open()) {
            Natives.seed(3);
            List<Tensor> params = List.of(torch.randn(7, 3), torch.randn(64), torch.randn(2, 5, 3, 3));
            List<Tensor> expected = params.stream().map(p -> p.to(torch.ScalarType.Double)).toList();
            List<Tensor> buffers = params.stream().map(torch::empty_like).toList();
            Tensor[] refBuffers = new Tensor[params.size()];
            double lr = 0.1;
            double momentum = 0.9;
            for (int step = 0; step < 2; step++) {
                List<Tensor> grads = params.stream().map(p -> torch.randn(p.sizes())).toList();
                for (int i = 0; i < params.size(); i++) {
                    Tensor p = expected.get(i);
                    Tensor d = grads.get(i).to(torch.ScalarType.Double).add(p, new Scalar(weightDecay));
                    refBuffers[i] = step == 0 ? d.clone() : refBuffers[i].mul(new Scalar(momentum)).add(d);
                    Tensor direction = nesterov ? d.add(refBuffers[i], new Scalar(momentum)) : refBuffers[i];
                    p.sub_(direction.mul(new Scalar(lr)));
                }
                kernels.sgd(params, grads, buffers, weightDecay, momentum, lr, nesterov, step == 0);
            }
            for (int i = 0; i < params.size(); i++) {
                double paramDiff = params.get(i).to(torch.ScalarType.Double).sub(expected.get(i)).abs().max().item_double();
                double bufferDiff = buffers.get(i).to(torch.ScalarType.Double).sub(refBuffers[i]).abs().max().item_double();
                assertThat(paramDiff).as("parameter %d", i).isLessThan(1e-5);
                assertThat(bufferDiff).as("momentum buffer %d", i).isLessThan(1e-5);
            }
        }
    }

    @Test
    void fusedAdamwIsTorchOptimAdamwOverTwoSteps() {
        Natives.load();
        OptimizerKernels kernels = OptimizerKernels.find().orElseThrow();
        try (NativeScope scope = NativeScope.open()) {
            Natives.seed(4);
            List<Tensor> params = List.of(torch.randn(6, 4), torch.randn(32));
            List<Tensor> expected = params.stream().map(p -> p.to(torch.ScalarType.Double)).toList();
            List<Tensor> expAvgs = params.stream().map(torch::zeros_like).toList();
            List<Tensor> expAvgSqs = params.stream().map(torch::zeros_like).toList();
            List<Tensor> steps = params.stream().map(p -> torch.zeros(new long[0])).toList();
            double lr = 0.01;
            double beta1 = 0.9;
            double beta2 = 0.999;
            double wd = 0.05;
            double eps = 1e-8;
            Tensor[] m = new Tensor[params.size()];
            Tensor[] v = new Tensor[params.size()];
            for (int step = 1; step <= 2; step++) {
                List<Tensor> grads = params.stream().map(p -> torch.randn(p.sizes())).toList();
                for (int i = 0; i < params.size(); i++) {
                    Tensor g = grads.get(i).to(torch.ScalarType.Double);
                    m[i] = step == 1 ? g.mul(new Scalar(1 - beta1)) : m[i].mul(new Scalar(beta1)).add(g, new Scalar(1 - beta1));
                    v[i] = step == 1 ? g.mul(g).mul(new Scalar(1 - beta2))
                            : v[i].mul(new Scalar(beta2)).add(g.mul(g), new Scalar(1 - beta2));
                    Tensor p = expected.get(i);
                    p.mul_(new Scalar(1 - lr * wd));
                    Tensor denom = v[i].sqrt().div(new Scalar(Math.sqrt(1 - Math.pow(beta2, step)))).add(new Scalar(eps));
                    p.sub_(m[i].div(denom).mul(new Scalar(lr / (1 - Math.pow(beta1, step)))));
                    steps.get(i).add_(new Scalar(1.0));
                }
                kernels.adamw(params, grads, expAvgs, expAvgSqs, steps, lr, beta1, beta2, wd, eps);
            }
            for (int i = 0; i < params.size(); i++) {
                assertThat(params.get(i).to(torch.ScalarType.Double).sub(expected.get(i)).abs().max().item_double())
                        .as("parameter %d", i).isLessThan(1e-6);
                assertThat(expAvgSqs.get(i).to(torch.ScalarType.Double).sub(v[i]).abs().max().item_double())
                        .as("second moment %d", i).isLessThan(1e-6);
                assertThat(steps.get(i).item_double()).as("the kernel leaves the step counts to the caller").isEqualTo(2.0);
            }
        }
    }

    @Test
    void movingAverageIsDecayTimesAveragePlusTheRest() {
        Natives.load();
        OptimizerKernels kernels = OptimizerKernels.find().orElseThrow();
        try (NativeScope scope = NativeScope.open()) {
            Natives.seed(5);
            List<Tensor> averages = List.of(torch.randn(5, 3), torch.randn(8));
            List<Tensor> current = List.of(torch.randn(5, 3), torch.randn(8));
            List<Tensor> expected = List.of(
                    averages.get(0).mul(new Scalar(0.9)).add(current.get(0).mul(new Scalar(0.1))),
                    averages.get(1).mul(new Scalar(0.9)).add(current.get(1).mul(new Scalar(0.1))));
            kernels.movingAverage(averages, current, 0.9);
            for (int i = 0; i < 2; i++) {
                assertThat(averages.get(i).sub(expected.get(i)).abs().max().item_double()).isLessThan(1e-6);
            }
        }
    }

    @Test
    void listsOfDifferentLengthsAreRefusedBeforeTheKernel() {
        Natives.load();
        OptimizerKernels kernels = OptimizerKernels.find().orElseThrow();
        try (NativeScope scope = NativeScope.open()) {
            Tensor p = torch.zeros(3);
            assertThatThrownBy(() -> kernels.sgd(List.of(p), List.of(), List.of(p), 0, 0.9, 0.1, false, true))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1 parameters, 0 gradients");
        }
    }

    /** Memory order decides, not strides along dimensions of length 1 (which never move). */
    @Test
    void layoutsAreAlikeWhenTheirMemoryOrderIs() {
        Natives.load();
        try (NativeScope scope = NativeScope.open()) {
            Tensor oneByOne = torch.zeros(8, 4, 1, 1).contiguous(torch.MemoryFormat.ChannelsLast);
            Tensor itsGradient = torch.zeros(8, 1, 1, 4).permute(0, 3, 1, 2); // strides (4, 1, 4, 4)
            assertThat(OptimizerKernels.sameLayout(oneByOne, itsGradient)).isTrue();
            Tensor threeByThree = torch.zeros(8, 4, 3, 3).contiguous(torch.MemoryFormat.ChannelsLast);
            assertThat(OptimizerKernels.sameLayout(threeByThree, torch.zeros(8, 4, 3, 3))).isFalse();
            assertThat(OptimizerKernels.sameLayout(torch.zeros(4, 8), torch.zeros(8, 4).t())).isFalse();
            assertThat(OptimizerKernels.sameLayout(torch.zeros(4, 8), torch.zeros(4, 16).narrow(1, 0, 8))).isFalse();
        }
    }
}
