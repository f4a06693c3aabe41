package org.leno.internal.train;

import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Module;
import org.leno.internal.config.Choice;

/**
 * The optimizers of `leno train`, one table entry each (as timm's OptimInfo): the PyTorch class it
 * reproduces and how it is built from the --optimizer flags. A new optimizer is one entry here plus
 * its class; the flag's help lists the entries.
 */
public enum OptimizerKind implements Choice {
    SGD("torch.optim.SGD", (groups, o) -> new Sgd(groups, o.lr(), o.momentum(), o.nesterov())),
    ADAMW("torch.optim.AdamW", (groups, o) -> new AdamW(groups, o.lr(), o.adamBetas()[0], o.adamBetas()[1], o.adamEps()));

    /** What the entries are built from: the --optimizer flags (TrainConfig.Optimization). */
    public interface Flags {
        OptimizerKind optimizer();

        double lr();

        double momentum();

        double weightDecay();

        boolean nesterov();

        double[] adamBetas();

        double adamEps();

        Double normWeightDecay();

        Double biasWeightDecay();
    }

    /** Builds the optimizer over its parameter groups from the flags. */
    @FunctionalInterface
    private interface Factory {
        Optimizer create(List<ParamGroup> groups, Flags flags);
    }

    private final String pytorchClass;
    private final Factory factory;

    OptimizerKind(String pytorchClass, Factory factory) {
        this.pytorchClass = pytorchClass;
        this.factory = factory;
    }

    /** The optimizer {@code flags} ask for over {@code net}'s parameters, grouped as torchvision's set_weight_decay groups them. */
    public static Optimizer create(Flags flags, Module net) {
        List<ParamGroup> groups = ParamGroup.of(net, flags.weightDecay(), flags.normWeightDecay(), flags.biasWeightDecay());
        return flags.optimizer().factory.create(groups, flags);
    }

    @Override
    public String help() {
        return this + " (" + pytorchClass + ")";
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
