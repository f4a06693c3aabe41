package org.leno.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.ConvLayer;
import org.leno.internal.nn.Layers;
import org.leno.internal.nn.NormLayer;

/** Pre-activation ResNet (He et al. 2016, "Identity Mappings in Deep Residual Networks"). */
public final class PreActResNet extends ResidualNetwork {
    private final ConvLayer conv1;
    private final NormLayer bn;

    public PreActResNet(ModelConfig config, int[] blocksPerStage) {
        super(config, blocksPerStage);
        conv1 = layers.conv(this, "conv1", 3, 64, 7, 2, 3, true);
        buildStages(64, new long[] {1, 2, 2, 2}, Bottleneck::new);
        bn = layers.batchNorm(this, "bn", STAGE_PLANES[3] * EXPANSION);
        buildHead();
    }

    @Override
    protected Tensor stem(Tensor x) {
        return layers.maxPool3x3s2(conv1.forward(x));
    }

    @Override
    protected Tensor beforePool(Tensor x) {
        return layers.reluInPlace(bn.forward(x));
    }

    static final class Bottleneck extends ResidualBlock {
        private final NormLayer bn1;
        private final ConvLayer conv1;
        private final NormLayer bn2;
        private final ConvLayer conv2;
        private final NormLayer bn3;
        private final ConvLayer conv3;
        private final Projection downsample;

        Bottleneck(Layers l, int index, int count, long in, long planes, long stride) {
            super(l, index == 0);
            bn1 = l.batchNorm(this, "bn1", in);
            conv1 = l.conv1x1(this, "conv1", in, planes, 1);
            bn2 = l.batchNorm(this, "bn2", planes);
            conv2 = l.conv3x3(this, "conv2", planes, planes, stride);
            bn3 = l.batchNorm(this, "bn3", planes);
            conv3 = l.conv1x1(this, "conv3", planes, planes * EXPANSION, 1);
            downsample = Projection.ifNeeded(l, this, in, planes, stride);
        }

        @Override
        public Tensor forward(Tensor x) {
            // in place on outputs of BatchNorm and convolution, which no backward function saves
            Tensor a = ops.reluInPlace(bn1.forward(x));
            Tensor shortcut = downsample == null ? x : downsample.forward(a);
            Tensor out = ops.reluInPlace(bn2.forward(conv1.forward(a)));
            out = ops.reluInPlace(bn3.forward(conv2.forward(out)));
            return ops.addInPlace(conv3.forward(out), shortcut);
        }

        @Override
        void zeroInitResidual() {
            torch.zeros_(bn3.weight());
        }
    }
}
