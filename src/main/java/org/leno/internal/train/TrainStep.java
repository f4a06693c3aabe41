package org.leno.internal.train;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.analysis.BlockGradients;
import org.leno.internal.data.augment.BatchMix;
import org.leno.internal.distributed.GradientSync;
import org.leno.internal.interop.TensorData;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.Autocast;
import org.leno.internal.nn.ComputeDevice;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.OpProfile;
import org.leno.internal.nn.Tensors;

/**
 * One micro-batch of training: forward (optionally under autocast), mean cross-entropy (with label
 * smoothing, on class indices or on the soft targets of batch mixing), divided by the number of
 * micro-batches of the update, and backward, whose gradients add up; on the last micro-batch of an
 * update also the gradient average over ranks, clipping, the optimizer's step and clearing the
 * gradients. Every native object it creates is freed when it returns.
 */
public final class TrainStep {
    /**
     * The micro-batch's loss (not divided) and its top-1 and top-5 hits, the gradient norms at the
     * block boundaries when they were asked for (else null), and the global gradient norm before
     * clipping when this was an update with clipping (else NaN). A non-finite loss means nothing was
     * computed backward or updated.
     */
    public record Result(double loss, int hits1, int hits5, double[] boundaryNorms, double gradNorm) {}

    /** How to run one micro-batch: its share of the update, whether it completes it, what to record. */
    public record Options(long seed, int microBatches, boolean update, boolean countHits, boolean gradNorms) {
        /** A whole update of one batch. */
        public static Options single(long seed, boolean countHits) {
            return new Options(seed, 1, true, countHits, false);
        }

        /**
         * Batch {@code i} of an epoch of {@code batches}, with one update per {@code accum} batches (the
         * epoch's last update takes the batches left): its share of the update, and whether it completes it.
         */
        public static Options ofBatch(long seed, int i, int batches, int accum, boolean gradNorms) {
            int groupStart = i / accum * accum;
            int groupSize = Math.min(groupStart + accum, batches) - groupStart;
            return new Options(seed, groupSize, i == groupStart + groupSize - 1, true, gradNorms);
        }
    }

    private final ResidualNetwork net;
    private final Optimizer optimizer;
    private final Amp amp;
    private final GradientSync sync;
    private final ComputeDevice device;
    private final double labelSmoothing;
    private final double clipGradNorm;
    /** --amp fp16's dynamic loss scaler (issue 14), null otherwise. */
    private GradScaler scaler;
    private OpProfile profile = OpProfile.none();

    /** A plain step on the CPU: no autocast unless {@code bf16}, no sync, no smoothing, no clipping. */
    public TrainStep(ResidualNetwork net, Optimizer optimizer, boolean bf16) {
        this(net, optimizer, bf16 ? Amp.BF16 : Amp.NONE, null, ComputeDevice.cpu(), 0, 0);
    }

    /**
     * With a gradient sync, gradients are averaged over the ranks before the update. Batches are
     * moved to {@code device}, where the model must already be.
     */
    public TrainStep(ResidualNetwork net, Optimizer optimizer, Amp amp, GradientSync sync, ComputeDevice device,
                     double labelSmoothing, double clipGradNorm) {
        this.net = net;
        this.optimizer = optimizer;
        this.amp = amp;
        this.sync = sync;
        this.device = device;
        this.labelSmoothing = labelSmoothing;
        this.clipGradNorm = clipGradNorm;
    }

    /** --amp fp16: the loss is scaled before backward and the update skipped when a gradient is inf/NaN. */
    public TrainStep withScaler(GradScaler scaler) {
        this.scaler = scaler;
        return this;
    }

    /**
     * Records where each following step's time goes into {@code p}, the network's forward operators
     * and libtorch's backward nodes included ({@link OpProfile#none()} to stop).
     */
    public void profile(OpProfile p) {
        profile = p;
        net.profile(p);
    }

    public Result run(Tensor images, Tensor labels, long seed, boolean countHits) {
        return run(images, labels, null, null, Options.single(seed, countHits));
    }

    /** Batch mixing first (mixup or CutMix, drawn from {@code rng}); top-1/top-5 count each image's dominant label. */
    public Result runMixed(Tensor hostImages, Tensor labels, BatchMix mix, SplittableRandom rng, Options o) {
        try (NativeScope scope = NativeScope.open(); BatchMix.Mixed mixed = mix.apply(hostImages, labels, rng)) {
            long[] dominant = mixed.dominantLabels();
            Tensor hits = Tensors.fromHost(TensorData.ofLongs(new long[] {dominant.length}, dominant));
            return run(hostImages, labels, mixed.targets(), hits, o);
        }
    }

    /** The seed of a training step's own draws (dropout), a function of the run's seed, the epoch and the iteration. */
    public static long stepSeed(long seed, int epoch, int iteration) {
        long z = seed * 0x9E3779B97F4A7C15L + (epoch + 1) * 0xBF58476D1CE4E5B9L + iteration * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 31)) * 0xD6E8FEB86659FD93L;
        return z ^ (z >>> 32);
    }

    /**
     * {@code targets}: soft targets (N x classes) from batch mixing, or null for {@code labels};
     * {@code hitLabels}: what top-1/top-5 count against (mixing's dominant labels), null for {@code labels}.
     */
    public Result run(Tensor hostImages, Tensor labels, Tensor targets, Tensor hitLabels, Options o) {
        profile.beginStep();
        try {
            return step(hostImages, labels, targets, hitLabels, o);
        } finally {
            profile.endStep("other"); // freeing the step's tensors and graph, when its scope closed
        }
    }

    private Result step(Tensor hostImages, Tensor labels, Tensor targets, Tensor hitLabels, Options o) {
        try (NativeScope scope = NativeScope.open()) {
            Tensor images = device.put(hostImages);
            Tensor classes = device.put(labels);
            BlockGradients observer = o.gradNorms() ? new BlockGradients() : null;
            torch.manual_seed(o.seed());
            boolean syncs = sync != null && o.update();
            Tensor output;
            Tensor loss;
            try (Autocast cast = Autocast.to(device, amp.autocastType())) {
                if (syncs) {
                    sync.beforeForward();
                }
                output = net.forward(images, observer);
                long lossStart = profile.start();
                loss = profile.forward("cross_entropy", lossStart, torch.cross_entropy_loss(output,
                        targets == null ? classes : device.put(targets), new TensorOptional(), 1, -100, labelSmoothing));
            }
            double lossValue = loss.item_double();
            profile.lap("forward");
            if (!Double.isFinite(lossValue)) {
                return new Result(lossValue, 0, 0, null, Double.NaN);
            }
            Tensor scaled = o.microBatches() == 1 ? loss : loss.div(new Scalar((double) o.microBatches()));
            if (scaler != null) {
                scaled = scaler.scale(scaled);
            }
            profile.hookBackward(scaled);
            if (syncs) {
                sync.beforeBackward(output);
                sync.backward(scaled);
                sync.afterBackward();
            } else {
                scaled.backward();
            }
            double[] norms = observer == null ? null : observer.norms();
            profile.lap("backward");
            double gradNorm = o.update() ? update() : Double.NaN;
            int[] hits = o.countHits() ? hits(output, hitLabels == null ? classes : device.put(hitLabels)) : new int[2];
            return new Result(lossValue, hits[0], hits[1], norms, gradNorm);
        }
    }

    /**
     * The update: unscaling (--amp fp16), clipping, the optimizer's step and clearing the gradients;
     * the global gradient norm before clipping, NaN without clipping.
     */
    private double update() {
        long optimizerStart = profile.start();
        if (scaler != null) {
            scaler.unscale(optimizer.params()); // clipping sees the true gradients, as with torch.cuda.amp
        }
        double gradNorm = clipGradNorm > 0 ? clip(optimizer.params(), clipGradNorm) : Double.NaN;
        if (scaler != null) {
            scaler.step(optimizer.params(), optimizer::step);
            scaler.update();
        } else {
            optimizer.step();
        }
        net.zero_grad(true);
        profile.record("optimizer", "step", optimizerStart);
        profile.lap("optimizer");
        return gradNorm;
    }

    /** PyTorch's clip_grad_norm_: the global 2-norm of the gradients, scaled down to {@code max} when above it. */
    static double clip(List<Tensor> params, double max) {
        TensorVector grads = new TensorVector();
        for (Tensor p : params) {
            if (p.grad().defined()) {
                grads.push_back(p);
            }
        }
        return torch.clip_grad_norm_(grads, max, 2.0, false);
    }

    /**
     * Validation of a batch's first {@code n} images (the rest: a distributed shard's padding), in
     * inference mode: the mean cross-entropy and the top-1 and top-5 hits.
     */
    static Result evaluate(ResidualNetwork model, ComputeDevice device, Tensor images, Tensor labels, int n) {
        try (NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
            Tensor output = model.forward(device.put(images)).narrow(0, 0, n);
            Tensor classes = device.put(labels).narrow(0, 0, n);
            double loss = torch.cross_entropy(output, classes).item_double();
            int[] h = hits(output, classes);
            return new Result(loss, h[0], h[1], null, Double.NaN);
        }
    }

    static int[] hits(Tensor output, Tensor labels) {
        float[] logits = Tensors.floats(output);
        long[] targets = Arrays.stream(Tensors.toHost(labels).toDoubles()).mapToLong(d -> (long) d).toArray();
        int classes = (int) output.size(1);
        return Accuracy.hits(logits, targets, classes, 1, Math.min(5, classes));
    }
}
