package org.leno.internal.analysis;

import java.util.Iterator;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;

/**
 * SPEC §3: for each residual block, ||dL/dx_l||_2 / ||dL/dy_l||_2 with L the mean cross-entropy of
 * one batch, from one forward and backward pass per batch (no optimizer step).
 */
public final class GradNormAnalysis {
    /** A batch of images and labels. */
    public record Input(Tensor images, Tensor labels) {}

    private GradNormAnalysis() {
    }

    /** Boundary norms of one batch (see {@link BlockGradients}); the model's gradients are left set. */
    public static double[] boundaryNorms(ResidualNetwork net, Tensor images, Tensor labels) {
        try (NativeScope scope = NativeScope.open()) {
            BlockGradients observer = new BlockGradients();
            Tensor loss = torch.cross_entropy(net.forward(images, observer), labels);
            net.zero_grad(true);
            loss.backward();
            return observer.norms();
        }
    }

    /** Averages {@code batches} batches: ratio of mean norms, with the per-batch range. */
    public static GradNormResult run(ResidualNetwork net, Iterator<Input> inputs, int batches, boolean evalMode) {
        net.train(!evalMode);
        int b = net.blocks().size();
        double[] sum = new double[b + 1];
        double[] min = new double[b];
        double[] max = new double[b];
        java.util.Arrays.fill(min, Double.POSITIVE_INFINITY);
        java.util.Arrays.fill(max, Double.NEGATIVE_INFINITY);
        for (int k = 0; k < batches; k++) {
            Input in = inputs.next();
            double[] norms;
            try {
                norms = boundaryNorms(net, in.images(), in.labels());
            } finally {
                in.images().close();
                in.labels().close();
            }
            double[] ratios = BlockGradients.ratios(norms);
            for (int i = 0; i <= b; i++) {
                sum[i] += norms[i] / batches;
            }
            for (int i = 0; i < b; i++) {
                min[i] = Math.min(min[i], ratios[i]);
                max[i] = Math.max(max[i], ratios[i]);
            }
        }
        net.zero_grad(true);
        double[] in = java.util.Arrays.copyOfRange(sum, 0, b);
        double[] out = java.util.Arrays.copyOfRange(sum, 1, b + 1);
        return new GradNormResult(net.config(), net.blocksPerStage(), net.transitionBlocks(), in, out, min, max, batches);
    }

    /** N(0,1) images of 3 x size x size and labels uniform over the classes, from the current torch seed. */
    public static Iterator<Input> randomInputs(int batchSize, int size, int nClasses) {
        Supplier<Input> next = () -> {
            try (NativeScope scope = NativeScope.open()) {
                return new Input(scope.keep(torch.randn(batchSize, 3, size, size)),
                        scope.keep(torch.randint(nClasses, new long[] {batchSize})));
            }
        };
        return new Iterator<>() {
            @Override
            public boolean hasNext() { return true; }

            @Override
            public Input next() { return next.get(); }
        };
    }
}
