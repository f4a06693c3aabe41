package org.leno.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.ConvLayer;
import org.leno.internal.nn.Layers;
import org.leno.internal.nn.NormLayer;

/** ResNet v1.5, identical to torchvision's resnet50/101/152. */
public final class ResNet extends ResidualNetwork {
    private final ConvLayer conv1;
    private final NormLayer bn1;

    public ResNet(ModelConfig config, int[] blocksPerStage) {
        super(config, blocksPerStage);
        conv1 = layers.conv(this, "conv1", 3, 64, 7, 2, 3, false);
        bn1 = layers.batchNorm(this, "bn1", 64);
        buildStages(64, new long[] {1, 2, 2, 2}, Bottleneck::new);
        buildHead();
    }

    @Override
    protected Tensor stem(Tensor x) {
        return layers.maxPool3x3s2(layers.reluInPlace(bn1.forward(conv1.forward(x))));
    }

    static final class Bottleneck extends ResidualBlock {
        private final ConvLayer conv1;
        private final ConvLayer conv2;
        private final ConvLayer conv3;
        private final NormLayer bn1;
        private final NormLayer bn2;
        private final NormLayer bn3;
        private final Projection downsample;

        Bottleneck(Layers l, int index, int count, long in, long planes, long stride) {
            super(l, index == 0);
            conv1 = l.conv1x1(this, "conv1", in, planes, 1);
            bn1 = l.batchNorm(this, "bn1", planes);
            conv2 = l.conv3x3(this, "conv2", planes, planes, stride);
            bn2 = l.batchNorm(this, "bn2", planes);
            conv3 = l.conv1x1(this, "conv3", planes, planes * EXPANSION, 1);
            bn3 = l.batchNorm(this, "bn3", planes * EXPANSION);
            downsample = Projection.ifNeeded(l, this, in, planes, stride);
        }

        @Override
        public Tensor forward(Tensor x) {
            // in place where torchvision is: on outputs of BatchNorm and of the addition
            Tensor out = ops.reluInPlace(bn1.forward(conv1.forward(x)));
            out = ops.reluInPlace(bn2.forward(conv2.forward(out)));
            out = bn3.forward(conv3.forward(out));
            Tensor identity = downsample == null ? x : downsample.forward(x);
            return ops.reluInPlace(ops.addInPlace(out, identity));
        }

        @Override
        void zeroInitResidual() {
            torch.zeros_(bn3.weight());
        }
    }
}
