package org.leno.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.Conv2dOptions;
import org.bytedeco.pytorch.LinearImpl;

/**
 * Builds and registers the layers of one network, keeping its convolutions so that the network can
 * count its multiply-accumulates. Convolution weights get the reference init: Kaiming-normal with
 * fan_out and ReLU gain; BatchNorm keeps weight 1, bias 0, eps 1e-5, momentum 0.1.
 */
public final class Layers {
    private final List<ConvLayer> convs = new ArrayList<>();
    private final List<BatchNorm> batchNorms = new ArrayList<>();

    public ConvLayer conv(Container parent, String name, long in, long out, long kernel, long stride, long pad,
                          boolean bias) {
        Conv2dOptions o = new Conv2dOptions(in, out, new LongPointer(kernel, kernel));
        o.stride().put(new LongPointer(stride, stride));
        o.padding().put(new LongPointer(pad, pad));
        o.bias().put(bias);
        Conv2dImpl conv = parent.add(name, new Conv2dImpl(o));
        org.bytedeco.pytorch.global.torch.normal_(conv.weight(), 0, Math.sqrt(2.0 / (out * kernel * kernel)));
        ConvLayer layer = new ConvLayer(conv, in, out, kernel);
        convs.add(layer);
        return layer;
    }

    public ConvLayer conv1x1(Container parent, String name, long in, long out, long stride) {
        return conv(parent, name, in, out, 1, stride, 0, false);
    }

    public ConvLayer conv3x3(Container parent, String name, long in, long out, long stride) {
        return conv(parent, name, in, out, 3, stride, 1, false);
    }

    /** libtorch's BatchNorm2d, whose statistics can be synchronised over processes (--sync-bn). */
    public BatchNorm batchNorm(Container parent, String name, long channels) {
        BatchNorm bn = parent.add(name, new BatchNorm(channels));
        batchNorms.add(bn);
        return bn;
    }

    public LinearImpl linear(Container parent, String name, long in, long out) {
        return parent.add(name, new LinearImpl(in, out));
    }

    public List<BatchNorm> batchNorms() {
        return Collections.unmodifiableList(batchNorms);
    }

    public List<ConvLayer> convs() {
        return Collections.unmodifiableList(convs);
    }
}
