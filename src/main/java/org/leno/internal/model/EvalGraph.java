package org.leno.internal.model;

/**
 * The eval-mode forward of each family (SPEC.md, and ResNet, PreActResNet, LenoResNet here) as a
 * sequence of {@link EvalOps}: one description that the ONNX exporter writes out and the fused
 * inference forward computes. Which blocks have a projection shortcut is read from the state dict,
 * as it is the model's own.
 */
public final class EvalGraph<V> {
    private final EvalOps<V> l;
    private final Arch arch;
    private final int[] blocksPerStage;

    public EvalGraph(EvalOps<V> ops, Arch arch, int[] blocksPerStage) {
        this.l = ops;
        this.arch = arch;
        this.blocksPerStage = blocksPerStage.clone();
    }

    /** The network from {@code input} to the logits, named {@code output}. */
    public V forward(V input, String output) {
        V h = l.block(() -> stem(input));
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < blocksPerStage[s]; i++) {
                h = block(h, s, i);
            }
        }
        if (arch == Arch.PREACTRESNET) {
            h = l.relu(l.batchNorm(h, "bn"), "relu");
        }
        return l.head(h, output);
    }

    /** Block {@code i} of stage {@code s} (0-based) applied to {@code x}. */
    private V block(V x, int s, int i) {
        String p = "layer" + (s + 1) + "." + i + ".";
        long stride = i == 0 && s > 0 ? 2 : 1;
        return l.block(() -> switch (arch) {
            case RESNET -> resnetBlock(p, x, stride);
            case PREACTRESNET -> preactBlock(p, x, stride);
            case LENORESNET -> lenoBlock(p, x, i, blocksPerStage[s]);
        });
    }

    private V stem(V x) {
        return switch (arch) {
            case RESNET -> l.maxPool3x3s2(l.convRelu(x, "conv1", "bn1", 2, 3, "relu"), "maxpool");
            case PREACTRESNET -> l.maxPool3x3s2(l.conv(x, "conv1", null, 2, 3), "maxpool");
            case LENORESNET -> l.convRelu(l.conv(x, "conv1_1", null, 1, 1), "conv1_2", "bn1", 2, 1, "relu");
        };
    }

    /** conv1-bn1-relu, conv2 (stride)-bn2-relu, conv3-bn3, plus the shortcut, then ReLU. */
    private V resnetBlock(String p, V x, long stride) {
        V out = l.convRelu(x, p + "conv1", p + "bn1", 1, 0, p + "relu1");
        out = l.convRelu(out, p + "conv2", p + "bn2", stride, 1, p + "relu2");
        V identity = projection(p, x, x, stride);
        return l.convAddRelu(out, p + "conv3", p + "bn3", 1, 0, identity, p + "add", p + "relu");
    }

    /** a = relu(bn1(x)); shortcut = downsample(a) or x; conv1-bn2-relu, conv2 (stride)-bn3-relu, conv3; added. */
    private V preactBlock(String p, V x, long stride) {
        V a = l.relu(l.batchNorm(x, p + "bn1"), p + "relu1");
        V shortcut = projection(p, a, x, stride);
        V out = l.convRelu(a, p + "conv1", p + "bn2", 1, 0, p + "relu2");
        out = l.convRelu(out, p + "conv2", p + "bn3", stride, 1, p + "relu3");
        return l.convAdd(out, p + "conv3", null, 1, 0, shortcut, p + "add");
    }

    /** {@code downsample.0} conv1x1 (stride) and {@code downsample.1} BN of {@code from} when the block has them, else {@code identity}. */
    private V projection(String p, V from, V identity, long stride) {
        return l.has(p + "downsample.0.weight")
                ? l.conv(from, p + "downsample.0", p + "downsample.1", stride, 0) : identity;
    }

    /**
     * Start block: bn3(F_s(x)) + downsample(x), the shortcut max-pooled then conv1x1 and BN. Second
     * block: r + F(r) with r = relu(x) (the reference's in-place ReLU). Others: x + F(relu(bn0(x))),
     * the end block then relu(bn3(.)).
     */
    private V lenoBlock(String p, V x, int index, int count) {
        boolean start = index == 0;
        boolean second = index == 1;
        boolean end = index == count - 1 && !start;
        if (start) {
            V pooled = l.maxPool3x3s2(x, p + "downsample.0");
            V projected = l.conv(pooled, p + "downsample.1", p + "downsample.2", 1, 0);
            return lenoResidual(p, x, 2, p + "bn3", projected);
        }
        V skip = second ? l.relu(x, p + "relu0") : x;
        V branchInput = second ? skip : l.relu(l.batchNorm(x, p + "bn0"), p + "relu0");
        V out = lenoResidual(p, branchInput, 1, null, skip);
        return end ? l.relu(l.batchNorm(out, p + "bn3"), p + "relu") : out;
    }

    /** F(t) + residual, F(t) = conv3(relu(bn2(conv2(relu(bn1(conv1(t))))))), with {@code bn3} after conv3 when given. */
    private V lenoResidual(String p, V t, long stride, String bn3, V residual) {
        V h = l.convRelu(t, p + "conv1", p + "bn1", 1, 0, p + "relu1");
        h = l.convRelu(h, p + "conv2", p + "bn2", stride, 1, p + "relu2");
        return l.convAdd(h, p + "conv3", bn3, 1, 0, residual, p + "add");
    }
}
