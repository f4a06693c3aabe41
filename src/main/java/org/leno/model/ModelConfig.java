package org.leno.model;

/**
 * What identifies a model: family, depth, classes, whether residual branches start at zero, and the
 * dropout probability before the classifier (0 = none).
 */
public record ModelConfig(Arch arch, int depth, int nClasses, boolean zeroInitResidual, double dropout) {
    public ModelConfig {
        if (nClasses < 1) {
            throw new IllegalArgumentException("--n_classes must be at least 1, got " + nClasses);
        }
        if (dropout < 0 || dropout >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
    }

    public static ModelConfig of(Arch arch, int depth, int nClasses) {
        return new ModelConfig(arch, depth, nClasses, false, 0);
    }

    public String name() { return arch.id() + depth; }
}
