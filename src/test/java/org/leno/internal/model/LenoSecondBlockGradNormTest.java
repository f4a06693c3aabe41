package org.leno.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.analysis.GradNormAnalysis;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;

/** The second block's input norm is taken before its ReLU: ||dL/dx||, not ||dL/d relu(x)||. */
class LenoSecondBlockGradNormTest {

    @Test
    void theSecondBlocksInputGradientIsThePreReluOne() {
        Natives.seed(4);
        try (ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 10)); NativeScope s = NativeScope.open()) {
            net.train(true);
            Tensor images = torch.randn(4, 3, 32, 32);
            Tensor labels = torch.randint(10, new long[] {4});
            double ours = GradNormAnalysis.boundaryNorms(net, images, labels)[1];

            // ||dL/dx||: the block's input replaced by a leaf
            Tensor[] leaf = new Tensor[1];
            net.zero_grad(true);
            Tensor out = net.forward(images, (block, x) -> {
                if (block == 1) {
                    leaf[0] = x.detach().requires_grad_(true);
                    return leaf[0];
                }
                return x;
            });
            torch.cross_entropy(out, labels).backward();
            double preRelu = leaf[0].grad().norm().item_double();

            // ||dL/dr|| with r = relu(x) as a leaf: what retain_grad would see after an in-place ReLU
            LenoResNet.Block second = (LenoResNet.Block) net.blocks().get(1);
            Tensor[] r = new Tensor[1];
            net.zero_grad(true);
            Tensor out2 = net.forward(images, (block, x) -> {
                if (block == 1) {
                    r[0] = relu(x).detach().requires_grad_(true);
                    return x;
                }
                if (block == 2) {
                    return torch.add(r[0], second.residual(r[0]));
                }
                return x;
            });
            torch.cross_entropy(out2, labels).backward();
            double postRelu = r[0].grad().norm().item_double();

            assertThat(ours).isCloseTo(preRelu, org.assertj.core.data.Percentage.withPercentage(1e-3));
            assertThat(postRelu).isGreaterThan(ours * 1.01);
        }
    }
}
