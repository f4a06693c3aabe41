package org.leno.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.Container;
import org.leno.internal.nn.ConvLayer;
import org.leno.internal.nn.Layers;
import org.leno.internal.nn.NormLayer;

/**
 * LeNo-ResNet (Mahaur et al. 2022): norm-preserving start, middle and end blocks, all four stages
 * with stride 2, and a two-convolution stem without max-pooling.
 */
public final class LenoResNet extends ResidualNetwork {
    private final ConvLayer conv11;
    private final ConvLayer conv12;
    private final NormLayer bn1;

    public LenoResNet(ModelConfig config, int[] blocksPerStage) {
        super(config, blocksPerStage);
        conv11 = layers.conv3x3(this, "conv1_1", 3, 64, 1);
        conv12 = layers.conv3x3(this, "conv1_2", 64, 64, 2);
        bn1 = layers.batchNorm(this, "bn1", 64);
        buildStages(64, new long[] {2, 2, 2, 2}, Block::new);
        buildHead();
    }

    @Override
    protected Tensor stem(Tensor x) {
        return layers.reluInPlace(bn1.forward(conv12.forward(conv11.forward(x))));
    }

    /**
     * Start block (first of a stage): {@code bn3(F_s(x)) + P(x)}. Second block: {@code r + F(r)} with
     * {@code r = relu(x)}, as the reference's in-place ReLU makes the skip path carry relu(x). Other
     * middle blocks: {@code x + F(relu(bn0(x)))}; the end block adds a final {@code relu(bn3(.))}.
     */
    static final class Block extends ResidualBlock {
        private final boolean start;
        private final boolean second;
        private final boolean end;
        private final NormLayer bn0;
        private final ConvLayer conv1;
        private final NormLayer bn1;
        private final ConvLayer conv2;
        private final NormLayer bn2;
        private final ConvLayer conv3;
        private final NormLayer bn3;
        private final ConvLayer downConv;
        private final NormLayer downBn;

        Block(Layers l, int index, int count, long in, long planes, long stride) {
            super(l, index == 0);
            start = index == 0;
            second = index == 1;
            end = index == count - 1 && !start;
            bn0 = start || second ? null : l.batchNorm(this, "bn0", in);
            conv1 = l.conv1x1(this, "conv1", in, planes, 1);
            bn1 = l.batchNorm(this, "bn1", planes);
            conv2 = l.conv3x3(this, "conv2", planes, planes, stride);
            bn2 = l.batchNorm(this, "bn2", planes);
            conv3 = l.conv1x1(this, "conv3", planes, planes * EXPANSION, 1);
            bn3 = start || end ? l.batchNorm(this, "bn3", planes * EXPANSION) : null;
            if (start) {
                Container down = add("downsample", new Container("Sequential"));
                // downsample.0 is the weightless max-pool, applied in forward
                downConv = l.conv1x1(down, "1", in, planes * EXPANSION, 1);
                downBn = l.batchNorm(down, "2", planes * EXPANSION);
            } else {
                downConv = null;
                downBn = null;
            }
        }

        Tensor residual(Tensor t) {
            Tensor h = ops.reluInPlace(bn1.forward(conv1.forward(t)));
            h = ops.reluInPlace(bn2.forward(conv2.forward(h)));
            return conv3.forward(h);
        }

        @Override
        public Tensor forward(Tensor x) {
            if (start) {
                Tensor projected = downBn.forward(downConv.forward(ops.maxPool3x3s2(x)));
                return ops.addInPlace(bn3.forward(residual(x)), projected);
            }
            // in place only on outputs of BatchNorm, convolution and addition (no backward function
            // saves them); the block's input x is left as it is, so relu(x) is a new tensor
            Tensor skip = second ? ops.relu(x) : x;
            Tensor branchInput = second ? skip : ops.reluInPlace(bn0.forward(x));
            Tensor out = ops.addInPlace(residual(branchInput), skip);
            return end ? ops.reluInPlace(bn3.forward(out)) : out;
        }

        @Override
        void zeroInitResidual() {
            torch.zeros_(start ? bn3.weight() : conv3.weight());
        }
    }
}
