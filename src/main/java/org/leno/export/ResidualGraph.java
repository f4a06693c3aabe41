package org.leno.export;

import org.leno.model.Arch;

/**
 * The eval-mode forward of each family (SPEC.md, and model/ResNet, PreActResNet, LenoResNet) as
 * ONNX nodes. Which blocks have a projection shortcut is read from the state dict, as it is
 * the model's own.
 */
final class ResidualGraph {
    private final GraphLayers l;
    private final Arch arch;
    private final int[] blocksPerStage;

    ResidualGraph(GraphLayers layers, Arch arch, int[] blocksPerStage) {
        this.l = layers;
        this.arch = arch;
        this.blocksPerStage = blocksPerStage.clone();
    }

    /** The network from {@code input} to {@code output} (logits). */
    String forward(String input, String output) {
        String h = stem(input);
        for (int s = 0; s < 4; s++) {
            for (int i = 0; i < blocksPerStage[s]; i++) {
                String p = "layer" + (s + 1) + "." + i + ".";
                h = switch (arch) {
                    case RESNET -> resnetBlock(p, h, i == 0 && s > 0 ? 2 : 1);
                    case PREACTRESNET -> preactBlock(p, h, i == 0 && s > 0 ? 2 : 1);
                    case LENORESNET -> lenoBlock(p, h, i, blocksPerStage[s]);
                };
            }
        }
        if (arch == Arch.PREACTRESNET) {
            h = l.relu(l.batchNorm(h, "bn"), "relu");
        }
        return l.head(h, output);
    }

    private String stem(String x) {
        return switch (arch) {
            case RESNET -> l.maxPool3x3s2(l.relu(l.conv(x, "conv1", "bn1", 2, 3), "relu"), "maxpool");
            case PREACTRESNET -> l.maxPool3x3s2(l.conv(x, "conv1", null, 2, 3), "maxpool");
            case LENORESNET -> l.relu(l.conv(l.conv(x, "conv1_1", null, 1, 1), "conv1_2", "bn1", 2, 1), "relu");
        };
    }

    /** conv1-bn1-relu, conv2 (stride)-bn2-relu, conv3-bn3, plus the shortcut, then ReLU. */
    private String resnetBlock(String p, String x, long stride) {
        String out = l.relu(l.conv(x, p + "conv1", p + "bn1", 1, 0), p + "relu1");
        out = l.relu(l.conv(out, p + "conv2", p + "bn2", stride, 1), p + "relu2");
        out = l.conv(out, p + "conv3", p + "bn3", 1, 0);
        String identity = projection(p, x, x, stride);
        return l.relu(l.add(out, identity, p + "add"), p + "relu");
    }

    /** a = relu(bn1(x)); shortcut = downsample(a) or x; conv1-bn2-relu, conv2 (stride)-bn3-relu, conv3; added. */
    private String preactBlock(String p, String x, long stride) {
        String a = l.relu(l.batchNorm(x, p + "bn1"), p + "relu1");
        String shortcut = projection(p, a, x, stride);
        String out = l.relu(l.conv(a, p + "conv1", p + "bn2", 1, 0), p + "relu2");
        out = l.relu(l.conv(out, p + "conv2", p + "bn3", stride, 1), p + "relu3");
        return l.add(l.conv(out, p + "conv3", null, 1, 0), shortcut, p + "add");
    }

    /** {@code downsample.0} conv1x1 (stride) and {@code downsample.1} BN of {@code from} when the block has them, else {@code identity}. */
    private String projection(String p, String from, String identity, long stride) {
        return l.has(p + "downsample.0.weight")
                ? l.conv(from, p + "downsample.0", p + "downsample.1", stride, 0) : identity;
    }

    /**
     * Start block: bn3(F_s(x)) + downsample(x), the shortcut max-pooled then conv1x1 and BN. Second
     * block: r + F(r) with r = relu(x) (the reference's in-place ReLU). Others: x + F(relu(bn0(x))),
     * the end block then relu(bn3(.)).
     */
    private String lenoBlock(String p, String x, int index, int count) {
        boolean start = index == 0;
        boolean second = index == 1;
        boolean end = index == count - 1 && !start;
        if (start) {
            String pooled = l.maxPool3x3s2(x, p + "downsample.0");
            String projected = l.conv(pooled, p + "downsample.1", p + "downsample.2", 1, 0);
            return l.add(lenoResidual(p, x, 2, p + "bn3"), projected, p + "add");
        }
        String skip = second ? l.relu(x, p + "relu0") : x;
        String branchInput = second ? skip : l.relu(l.batchNorm(x, p + "bn0"), p + "relu0");
        String out = l.add(lenoResidual(p, branchInput, 1, null), skip, p + "add");
        return end ? l.relu(l.batchNorm(out, p + "bn3"), p + "relu") : out;
    }

    /** F(t) = conv3(relu(bn2(conv2(relu(bn1(conv1(t))))))), with {@code bn3} after conv3 when given. */
    private String lenoResidual(String p, String t, long stride, String bn3) {
        String h = l.relu(l.conv(t, p + "conv1", p + "bn1", 1, 0), p + "relu1");
        h = l.relu(l.conv(h, p + "conv2", p + "bn2", stride, 1), p + "relu2");
        return l.conv(h, p + "conv3", bn3, 1, 0);
    }
}
