package org.leno.internal.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bytedeco.pytorch.LinearImpl;
import org.leno.internal.nn.Container;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.nn.ConvLayer;
import org.leno.internal.nn.KernelShape;
import org.leno.internal.nn.Layers;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.OpProfile;
import org.leno.internal.nn.VerifiedKernels;

/**
 * What the three families share: a stem, four stages of bottleneck blocks named
 * {@code layer1..layer4}, global average pooling, optional dropout and the {@code fc} classifier.
 */
public abstract class ResidualNetwork extends Container {
    static final int EXPANSION = 4;
    static final int[] STAGE_PLANES = {64, 128, 256, 512};

    /** Makes the block at {@code index} of a stage with {@code count} blocks. */
    @FunctionalInterface
    protected interface BlockFactory {
        ResidualBlock create(Layers layers, int index, int count, long inChannels, long planes, long stride);
    }

    /**
     * Sees each block's input before the block runs (index 0..B-1) and the last block's output
     * (index B), and may replace them (for gradient analysis).
     */
    @FunctionalInterface
    public interface BlockObserver {
        Tensor input(int block, Tensor x);
    }

    protected final Layers layers = new Layers();
    private final ModelConfig config;
    private final int[] blocksPerStage;
    private final List<ResidualBlock> blocks = new ArrayList<>();
    private LinearImpl fc;

    protected ResidualNetwork(ModelConfig config, int[] blocksPerStage) {
        super(config.arch().id());
        this.config = config;
        this.blocksPerStage = blocksPerStage.clone();
    }

    protected abstract Tensor stem(Tensor x);

    /** Applied after the last stage, before pooling (pre-activation's final BN and ReLU). */
    protected Tensor beforePool(Tensor x) {
        return x;
    }

    protected final void buildStages(long inChannels, long[] strides, BlockFactory factory) {
        long in = inChannels;
        for (int s = 0; s < 4; s++) {
            Container stage = add("layer" + (s + 1), new Container("Sequential"));
            for (int i = 0; i < blocksPerStage[s]; i++) {
                ResidualBlock b = factory.create(layers, i, blocksPerStage[s], in, STAGE_PLANES[s],
                        i == 0 ? strides[s] : 1);
                stage.add(Integer.toString(i), b);
                blocks.add(b);
                in = STAGE_PLANES[s] * EXPANSION;
            }
        }
    }

    protected final void buildHead() {
        fc = layers.linear(this, "fc", STAGE_PLANES[3] * EXPANSION, config.nClasses());
        if (config.zeroInitResidual()) {
            blocks.forEach(ResidualBlock::zeroInitResidual);
        }
    }

    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * With an observer every intermediate tensor stays alive until the caller's scope closes (the
     * observer reads them after backward). Without one, each block runs in a scope of its own and
     * the previous block's output handle is dropped as soon as the next block has consumed it, so
     * that (as in PyTorch) only what autograd saved survives the forward pass, and backward frees
     * the activations as it goes instead of all of them living until the end of the step.
     */
    public Tensor forward(Tensor x, BlockObserver observer) {
        layers.kernels().verify(x, this::traceForward);
        if (observer != null) {
            Tensor h = stem(x);
            for (int i = 0; i < blocks.size(); i++) {
                h = blocks.get(i).forward(observer.input(i, h));
            }
            return head(observer.input(blocks.size(), h));
        }
        Tensor h = NativeScope.owned(() -> stem(x));
        for (ResidualBlock block : blocks) {
            Tensor in = h;
            h = NativeScope.owned(() -> block.forward(in));
            in.close();
        }
        Tensor in = h;
        Tensor out = NativeScope.owned(() -> head(in));
        in.close();
        return NativeScope.adopt(out);
    }

    /** The convolution and linear configurations a forward pass on {@code x} computes (in the current grad and autocast mode). */
    public List<KernelShape> kernelShapes(Tensor x) {
        return layers.kernels().trace(x, this::traceForward);
    }

    /** The forward pass that {@link VerifiedKernels#verify} traces: eval mode, so no statistic moves. */
    private void traceForward(Tensor sample) {
        boolean training = is_training();
        eval();
        try {
            forward(sample, null);
        } finally {
            train(training);
        }
    }

    private Tensor head(Tensor h) {
        Tensor last = beforePool(h);
        Tensor pooled = layers.op("adaptive_avg_pool2d+flatten", () -> torch.flatten(torch.adaptive_avg_pool2d(last, 1, 1), 1, -1));
        Tensor features = config.dropout() > 0
                ? layers.op("dropout", () -> torch.dropout(pooled, config.dropout(), is_training())) : pooled;
        return layers.linear(fc, features);
    }

    /** Times this network's forward operators into {@code profile} ({@link OpProfile#none()} to stop). */
    public void profile(OpProfile profile) {
        layers.profile(profile);
    }

    public ModelConfig config() { return config; }

    public int[] blocksPerStage() { return blocksPerStage.clone(); }

    public List<ResidualBlock> blocks() { return Collections.unmodifiableList(blocks); }

    /** Every BatchNorm layer, for --sync-bn. */
    public List<org.leno.internal.nn.BatchNorm> batchNorms() { return layers.batchNorms(); }

    /** 1-based indices of the blocks that change resolution or width. */
    public List<Integer> transitionBlocks() {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < blocks.size(); i++) {
            if (blocks.get(i).transition()) {
                out.add(i + 1);
            }
        }
        return out;
    }

    /**
     * Multiply-accumulates of one image of size {@code size} x {@code size} (convolutions and fc),
     * counted on a trace of the forward pass: no convolution runs.
     */
    public long macs(int size) {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            kernelShapes(torch.zeros(1, 3, size, size));
            long macs = fc.weight().numel();
            for (ConvLayer c : layers.convs()) {
                macs += c.lastMacs();
            }
            return macs;
        }
    }

    /**
     * Stores the convolution weights in channels-last (NHWC) layout, as PyTorch's
     * {@code model.to(memory_format=torch.channels_last)}: with channels-last inputs oneDNN then
     * convolves without reordering. Names, shapes and values are unchanged.
     */
    public void toChannelsLast() {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            for (ConvLayer c : layers.convs()) {
                Tensor w = c.weight();
                w.__dispatch_set_data(w.contiguous(torch.MemoryFormat.ChannelsLast));
            }
        }
    }

    /** Number of parameter elements. */
    public long parameterCount() {
        try (NativeScope scope = NativeScope.open()) {
            var params = parameters(true);
            long n = 0;
            for (long i = 0; i < params.size(); i++) {
                n += params.get(i).numel();
            }
            return n;
        }
    }
}
