package org.leno.internal.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bytedeco.pytorch.GradMode;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * The convolutions and linear layers of one network, each computed on the path that {@link
 * KernelGuard} verified for its configuration on this machine. Before the first forward pass on
 * inputs of a new shape, precision or layout, {@link #verify} traces the network on a one-image
 * sample (the convolutions and linear layers return zeros of the right shape and note their
 * configuration) and has every configuration of the pass checked at once, in one child process.
 */
public final class VerifiedKernels {
    private final KernelGuard guard;
    private final Set<String> verifiedInputs = new HashSet<>();
    private List<KernelShape> trace;
    private long traceBatch;

    public VerifiedKernels(KernelGuard guard) {
        this.guard = guard;
    }

    public KernelGuard guard() { return guard; }

    public boolean tracing() { return trace != null; }

    /**
     * Before a forward pass on {@code x}: unless inputs like it were seen, runs {@code forward} on a
     * one-image sample of zeros to collect the pass's configurations (at {@code x}'s batch) and checks
     * those not verified yet. {@code forward} must not change the network's state (run it in eval mode).
     */
    public void verify(Tensor x, Consumer<Tensor> forward) {
        if (!guard.verifies() || tracing() || x.dim() != 4) {
            return;
        }
        String input = inputKey(x);
        if (input == null || verifiedInputs.contains(input)) {
            return;
        }
        guard.ensure(trace(x, forward));
        verifiedInputs.add(input);
    }

    /** The configurations a forward pass on {@code x} computes, collected by running {@code forward} on a one-image sample. */
    public List<KernelShape> trace(Tensor x, Consumer<Tensor> forward) {
        List<KernelShape> shapes = new ArrayList<>();
        trace = shapes;
        traceBatch = x.size(0);
        try (NativeScope scope = NativeScope.open()) {
            forward.accept(torch.zeros_like(x.narrow(0, 0, 1)));
        } finally {
            trace = null;
        }
        return shapes;
    }

    /** A convolution; {@code libtorch} computes it on libtorch's own path (the module's forward). */
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, long stride, long pad, Supplier<Tensor> libtorch) {
        KernelShape shape = KernelRouting.conv(x, weight, weight.size(2), stride, pad, bias != null);
        if (shape == null) {
            return libtorch.get();
        }
        if (tracing()) {
            return traced(shape, KernelRouting.emptyOutput(x, weight, shape));
        }
        KernelPath path = guard.route(shape);
        Tensor y = path == KernelPath.LIBTORCH ? libtorch.get()
                : path.conv(x, weight, bias, stride, pad, KernelRouting.type(shape));
        return guard.faults().apply(shape, path, y);
    }

    /** A linear layer on {@code x} (batch x in). */
    public Tensor linear(Tensor x, Tensor weight, Tensor bias, Supplier<Tensor> libtorch) {
        KernelShape shape = KernelRouting.linear(x, weight, bias != null);
        if (shape == null) {
            return libtorch.get();
        }
        if (tracing()) {
            return traced(shape, torch.zeros(new long[] {x.size(0), shape.out()}, new TensorOptions(KernelRouting.type(shape))));
        }
        KernelPath path = guard.route(shape);
        Tensor y = path == KernelPath.LIBTORCH ? libtorch.get() : path.linear(x, weight, bias, KernelRouting.type(shape));
        return guard.faults().apply(shape, path, y);
    }

    /** The path a configuration takes (for profiles and tests). */
    public KernelPath route(KernelShape shape) {
        return shape == null ? KernelPath.LIBTORCH : guard.route(shape);
    }

    private Tensor traced(KernelShape shape, Tensor output) {
        trace.add(shape.withBatch(shape.batch() * traceBatch));
        return output;
    }

    /** What decides a pass's configurations besides the network: sizes, precision, layout, grad mode, threads. */
    private static String inputKey(Tensor x) {
        KernelShape.Precision p = KernelRouting.precisionOf(x);
        if (p == null) {
            return null;
        }
        long[] s = Tensors.shape(x);
        return String.format(Locale.ROOT, "%s %s %s %b %d", Arrays.toString(s), Arrays.toString(Tensors.strides(x)), p,
                GradMode.is_enabled(), torch.get_num_threads());
    }
}
