package org.leno.internal.analysis;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.model.ResidualNetwork;

/**
 * Records the tensors at the residual blocks' boundaries during one forward pass and reads the
 * gradient norms at them after backward: {@code norms[l] = ||dL/dx_l||} for block inputs
 * l = 0..B-1, and {@code norms[B] = ||dL/dy_B||} for the last output. Block l's ratio is
 * {@code norms[l] / norms[l + 1]}. The inputs are the tensors the blocks receive, before any
 * in-place change (our LeNo second block applies its ReLU out of place).
 */
public final class BlockGradients implements ResidualNetwork.BlockObserver {
    private final List<Tensor> boundaries = new ArrayList<>();

    @Override
    public Tensor input(int block, Tensor x) {
        x.retain_grad();
        boundaries.add(x);
        return x;
    }

    /** Call after backward, inside the same native scope as the forward pass. */
    public double[] norms() {
        double[] n = new double[boundaries.size()];
        for (int i = 0; i < n.length; i++) {
            Tensor g = boundaries.get(i).grad();
            n[i] = g.defined() ? g.norm().item_double() : 0.0;
        }
        return n;
    }

    /** Per-block ratios from boundary norms. */
    public static double[] ratios(double[] norms) {
        double[] r = new double[norms.length - 1];
        for (int i = 0; i < r.length; i++) {
            r[i] = norms[i] / norms[i + 1];
        }
        return r;
    }
}
