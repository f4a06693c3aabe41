package org.leno.internal.model;

import org.bytedeco.pytorch.Tensor;
import org.leno.internal.nn.Container;
import org.leno.internal.nn.ConvLayer;
import org.leno.internal.nn.Layers;
import org.leno.internal.nn.NormLayer;

/** The projection shortcut of ResNet and pre-act ResNet: {@code downsample.0} conv1x1 (stride), {@code downsample.1} BN. */
final class Projection {
    private final ConvLayer conv;
    private final NormLayer bn;

    private Projection(ConvLayer conv, NormLayer bn) {
        this.conv = conv;
        this.bn = bn;
    }

    /** A projection registered as {@code downsample} in {@code block} when the shape changes, else null. */
    static Projection ifNeeded(Layers l, Container block, long in, long planes, long stride) {
        long out = planes * ResidualNetwork.EXPANSION;
        if (stride == 1 && in == out) {
            return null;
        }
        Container down = block.add("downsample", new Container("Sequential"));
        return new Projection(l.conv1x1(down, "0", in, out, stride), l.batchNorm(down, "1", out));
    }

    Tensor forward(Tensor x) {
        return bn.forward(conv.forward(x));
    }
}
