package org.leno.train;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.model.ResidualNetwork;
import org.leno.nn.ComputeDevice;
import org.leno.nn.NativeScope;
import org.leno.nn.OpProfile;
import org.leno.nn.Tensors;

/**
 * One optimisation step: forward (optionally under CPU bf16 autocast), mean cross-entropy,
 * backward, SGD; every native object it creates is freed when it returns.
 */
public final class TrainStep {
    /**
     * The step's loss and its top-1 and top-5 hits (a non-finite loss means nothing was updated),
     * and the gradient norms at the block boundaries when they were asked for (else null).
     */
    public record Result(double loss, int hits1, int hits5, double[] boundaryNorms) {}

    private final ResidualNetwork net;
    private final Sgd sgd;
    private final boolean bf16;
    private final org.leno.distributed.GradientSync sync;
    private final ComputeDevice device;
    private OpProfile profile = OpProfile.none();

    public TrainStep(ResidualNetwork net, Sgd sgd, boolean bf16) {
        this(net, sgd, bf16, null, ComputeDevice.cpu());
    }

    /**
     * With a gradient sync, gradients are averaged over the ranks before the SGD step. Batches
     * are moved to {@code device}, where the model must already be.
     */
    public TrainStep(ResidualNetwork net, Sgd sgd, boolean bf16, org.leno.distributed.GradientSync sync, ComputeDevice device) {
        this.net = net;
        this.sgd = sgd;
        this.bf16 = bf16;
        this.sync = sync;
        this.device = device;
    }

    /**
     * Records where each following step's time goes into {@code p}, the network's forward
     * operators and libtorch's backward nodes included ({@link OpProfile#none()} to stop).
     */
    public void profile(OpProfile p) {
        profile = p;
        net.profile(p);
    }

    public Result run(Tensor images, Tensor labels, long seed, boolean countHits) {
        return run(images, labels, seed, countHits, false);
    }

    /** With {@code gradNorms}, also records ||dL/dx|| at every block boundary (no extra pass). */
    public Result run(Tensor hostImages, Tensor hostLabels, long seed, boolean countHits, boolean gradNorms) {
        profile.beginStep();
        try {
            return step(hostImages, hostLabels, seed, countHits, gradNorms);
        } finally {
            // freeing the step's tensors and graph, when its scope closed
            profile.endStep("other");
        }
    }

    private Result step(Tensor hostImages, Tensor hostLabels, long seed, boolean countHits, boolean gradNorms) {
        try (NativeScope scope = NativeScope.open()) {
            Tensor images = device.put(hostImages);
            Tensor labels = device.put(hostLabels);
            org.leno.analysis.BlockGradients observer = gradNorms ? new org.leno.analysis.BlockGradients() : null;
            torch.manual_seed(seed);
            Tensor output;
            Tensor loss;
            if (bf16) {
                // autocast state is per thread: set it on the thread that runs forward
                torch.set_autocast_dtype(device.type(), torch.ScalarType.BFloat16);
                torch.set_autocast_enabled(device.type(), true);
                torch.increment_nesting();
            }
            try {
                if (sync != null) {
                    sync.beforeForward();
                }
                output = net.forward(images, observer);
                long lossStart = profile.start();
                loss = profile.forward("cross_entropy", lossStart, torch.cross_entropy(output, labels));
            } finally {
                if (bf16) {
                    // the cached bf16 weight copies would go stale after SGD updates the weights
                    if (torch.decrement_nesting() == 0) {
                        torch.clear_cache();
                    }
                    torch.set_autocast_enabled(device.type(), false);
                }
            }
            double lossValue = loss.item_double();
            profile.lap("forward");
            if (!Double.isFinite(lossValue)) {
                return new Result(lossValue, 0, 0, null);
            }
            long zeroStart = profile.start();
            net.zero_grad(true);
            profile.record("optimizer", "zero_grad", zeroStart);
            profile.lap("optimizer");
            profile.hookBackward(loss);
            if (sync != null) {
                sync.beforeBackward(output);
            }
            if (sync != null) {
                sync.backward(loss);
            } else {
                loss.backward();
            }
            double[] norms = observer == null ? null : observer.norms();
            if (sync != null) {
                sync.afterBackward();
            }
            profile.lap("backward");
            long sgdStart = profile.start();
            sgd.step();
            profile.record("optimizer", "sgd.step", sgdStart);
            profile.lap("optimizer");
            if (!countHits) {
                return new Result(lossValue, 0, 0, norms);
            }
            int[] hits = hits(output, labels);
            return new Result(lossValue, hits[0], hits[1], norms);
        }
    }

    static int[] hits(Tensor output, Tensor labels) {
        float[] logits = Tensors.floats(output);
        long[] targets = java.util.Arrays.stream(Tensors.toHost(labels).toDoubles()).mapToLong(d -> (long) d).toArray();
        int classes = (int) output.size(1);
        return Accuracy.hits(logits, targets, classes, 1, Math.min(5, classes));
    }
}
