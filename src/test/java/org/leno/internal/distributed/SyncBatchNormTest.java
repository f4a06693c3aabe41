package org.leno.internal.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.interop.TensorData;
import org.leno.internal.nn.BatchNorm;
import org.leno.internal.nn.ConvLayer;
import org.leno.internal.nn.Container;
import org.leno.internal.nn.Layers;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.Tensors;

/**
 * --sync-bn: two ranks (threads, Gloo over loopback), each on one half of a batch in training mode,
 * equal one process with plain BatchNorm on the whole batch: the outputs of each half, the input
 * gradients (each rank's loss is the mean over its half, so its input gradient is twice the whole
 * batch's), the parameter gradients after DDP's reducer has averaged them, and the running statistics.
 * The network is small (conv, BN, ReLU, strided conv, BN, pooling, linear) so that the test is quick;
 * the layer is the one every model builds through nn.Layers. A negative control: per-process BatchNorm
 * on the halves gives visibly different outputs.
 */
class SyncBatchNormTest {
    static final int N = 8;

    /** conv 3->8, BN, ReLU, conv 8->8 stride 2, BN, global average pooling, linear 8->5. */
    static final class Small extends Container {
        final Layers layers = new Layers();
        final ConvLayer conv1;
        final BatchNorm bn1;
        final ConvLayer conv2;
        final BatchNorm bn2;
        final LinearImpl fc;

        Small() {
            super("Small");
            Natives.seed(3);
            conv1 = layers.conv(this, "conv1", 3, 8, 3, 1, 1, false);
            bn1 = layers.batchNorm(this, "bn1", 8).module();
            conv2 = layers.conv(this, "conv2", 8, 8, 3, 2, 1, false);
            bn2 = layers.batchNorm(this, "bn2", 8).module();
            fc = layers.linear(this, "fc", 8, 5);
            // BN affine parameters away from (1, 0), so that their gradients are checked in general
            torch.uniform_(bn1.weight(), 0.5, 1.5);
            torch.uniform_(bn2.bias(), -0.5, 0.5);
        }

        Tensor forward(Tensor x) {
            Tensor h = torch.relu(bn1.forward(conv1.forward(x)));
            h = bn2.forward(conv2.forward(h));
            return fc.forward(torch.flatten(torch.adaptive_avg_pool2d(h, 1, 1), 1, -1));
        }
    }

    static List<Tensor> params(Small net) {
        var vector = net.parameters(true);
        List<Tensor> out = new ArrayList<>();
        for (long i = 0; i < vector.size(); i++) {
            out.add(vector.get(i));
        }
        return out;
    }

    /** What one process computes on samples [from, from + count). */
    record Outcome(float[] output, float[] inputGrad, Map<String, float[]> paramGrads, Map<String, float[]> buffers) {}

    static float[] images() {
        Natives.seed(21);
        try (NativeScope scope = NativeScope.open()) {
            // a per-channel offset and scale, as real activations have
            return Tensors.floats(torch.randn(N, 3, 12, 12).mul(torch.rand(1, 3, 1, 1).mul(new org.bytedeco.pytorch.Scalar(3.0)))
                    .add(torch.randn(1, 3, 1, 1)));
        }
    }

    static Outcome step(Small net, GradientSync sync, float[] data, int from, int count) {
        try (NativeScope scope = NativeScope.open()) {
            int size = 3 * 12 * 12;
            Tensor x = Tensors.fromFloats(java.util.Arrays.copyOfRange(data, from * size, (from + count) * size),
                    count, 3, 12, 12);
            x.requires_grad_(true);
            long[] labels = new long[count];
            for (int i = 0; i < count; i++) {
                labels[i] = (from + i) * 3 % 5;
            }
            Tensor y = Tensors.fromHost(TensorData.ofLongs(new long[] {count}, labels));
            net.train(true);
            if (sync != null) {
                sync.beforeForward();
            }
            Tensor out = net.forward(x);
            Tensor loss = torch.cross_entropy(out, y);
            if (sync != null) {
                sync.beforeBackward(out);
                sync.backward(loss);
                sync.afterBackward();
            } else {
                loss.backward();
            }
            Map<String, float[]> grads = new LinkedHashMap<>();
            List<Tensor> params = params(net);
            for (int i = 0; i < params.size(); i++) {
                grads.put("param" + i, Tensors.floats(params.get(i).grad().contiguous()));
            }
            Map<String, float[]> buffers = new LinkedHashMap<>();
            for (BatchNorm bn : List.of(net.bn1, net.bn2)) {
                buffers.put(bn == net.bn1 ? "bn1.running_mean" : "bn2.running_mean", Tensors.floats(bn.running_mean()));
                buffers.put(bn == net.bn1 ? "bn1.running_var" : "bn2.running_var", Tensors.floats(bn.running_var()));
                buffers.put(bn == net.bn1 ? "bn1.num_batches_tracked" : "bn2.num_batches_tracked",
                        new float[] {(float) bn.num_batches_tracked().item_long()});
            }
            return new Outcome(Tensors.floats(out), Tensors.floats(x.grad()), grads, buffers);
        }
    }

    static double maxRelativeDifference(float[] a, float[] b, int offset, double factor) {
        double max = 0;
        double diff = 0;
        for (int i = 0; i < b.length; i++) {
            max = Math.max(max, Math.abs(a[offset + i]));
            diff = Math.max(diff, Math.abs(a[offset + i] - factor * b[i]));
        }
        return max == 0 ? diff : diff / max;
    }

    @Test
    void twoRanksOnHalvesEqualOneProcessOnTheWholeBatchForwardAndBackward() throws Exception {
        float[] data = images();
        Outcome whole;
        try (Small net = new Small()) {
            whole = step(net, null, data, 0, N);
        }
        Outcome localHalf;
        try (Small net = new Small()) {
            localHalf = step(net, null, data, 0, N / 2);
        }
        int port = DistributedTrainingTest.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Outcome> ranks = new ArrayList<>();
        try {
            Small[] nets = {new Small(), new Small()};
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                futures.add(pool.submit(() -> {
                    try (RankGroup group = RankGroup.connect(new DistConfig("127.0.0.1", port, 2, rank, "gloo", 60));
                         Small net = nets[rank]) {
                        SyncBatchNorm.enable(net.layers.batchNorms(), group);
                        GradientSync sync = new GradientSync(group, params(net), GradientSync.Mode.REDUCER);
                        return step(net, sync, data, rank * N / 2, N / 2);
                    }
                }));
            }
            for (Future<Outcome> f : futures) {
                ranks.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        int outputsPerHalf = N / 2 * 5;
        int inputsPerHalf = N / 2 * 3 * 12 * 12;
        for (int r = 0; r < 2; r++) {
            Outcome o = ranks.get(r);
            assertThat(maxRelativeDifference(whole.output(), o.output(), r * outputsPerHalf, 1))
                    .as("rank " + r + " outputs").isLessThan(2e-6);
            assertThat(maxRelativeDifference(whole.inputGrad(), o.inputGrad(), r * inputsPerHalf, 0.5))
                    .as("rank " + r + " input gradients").isLessThan(1e-5);
            for (String k : whole.paramGrads().keySet()) {
                assertThat(maxRelativeDifference(whole.paramGrads().get(k), o.paramGrads().get(k), 0, 1))
                        .as("rank " + r + " gradient of " + k).isLessThan(1e-5);
            }
            for (String k : whole.buffers().keySet()) {
                assertThat(maxRelativeDifference(whole.buffers().get(k), o.buffers().get(k), 0, 1))
                        .as("rank " + r + " " + k).isLessThan(1e-6);
            }
        }
        assertThat(maxRelativeDifference(whole.output(), localHalf.output(), 0, 1))
                .as("negative control: per-process statistics on a half").isGreaterThan(1e-2);
    }
}
