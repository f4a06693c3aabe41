package org.leno.internal.distributed;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.interop.TensorData;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;
import org.leno.internal.nn.Tensors;
import org.leno.internal.train.Parameters;
import org.leno.internal.train.Sgd;
import org.leno.internal.train.TrainStep;

/**
 * Two ranks (threads of this JVM, Gloo over loopback) stepping on halves of a batch end with the
 * parameters of one process stepping on the whole batch. BatchNorm runs on running statistics
 * here, so that each sample's gradient does not depend on which half it is in (with batch
 * statistics, per-process BN differs from whole-batch BN by design, in PyTorch's DDP too).
 *
 * <p>In float64, so that the comparison sees DDP and nothing else: three steps at lr 0.05 on random
 * data grow some weights to 1e5, which amplifies any rounding difference between the batch of 8 and
 * the halves of 4. In fp32 that held to 1e-5 only while both batch sizes of every layer ran the same
 * oneDNN kernel; on a CPU where oneDNN crashes on some configurations, batch 8 and batch 4 of one layer
 * may take different verified paths (nn.KernelGuard), and the parameters then differed by 5.9e-4 (with
 * every layer on the fallbacks, by 8e-2). In float64 they agree to 6e-16.
 */
class DataParallelEquivalenceTest {
    static final int STEPS = 3;

    static float[][] batches(int n) {
        Natives.seed(11);
        float[][] out = new float[STEPS][];
        for (int s = 0; s < STEPS; s++) {
            try (NativeScope scope = NativeScope.open()) {
                out[s] = Tensors.floats(torch.randn(n, 3, 32, 32));
            }
        }
        return out;
    }

    static long[] labels(int step, int n) {
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = (i * 7 + step * 3) % 10;
        }
        return l;
    }

    static ResidualNetwork model() {
        Natives.seed(5);
        ResidualNetwork net = ModelRegistry.create(ModelConfig.of(Arch.LENORESNET, 50, 10));
        net.eval();
        return net;
    }

    static ResidualNetwork modelInFloat64() {
        ResidualNetwork net = model();
        net.to(torch.ScalarType.Double, false);
        return net;
    }

    static Map<String, TensorData> train(ResidualNetwork net, GradientSync sync, float[][] data, int from, int count, int total) {
        Sgd sgd = new Sgd(Parameters.of(net), 0.05, 0.9, 1e-4, false);
        TrainStep step = new TrainStep(net, sgd, org.leno.internal.train.Amp.NONE, sync, org.leno.internal.nn.ComputeDevice.cpu(), 0, 0);
        for (int s = 0; s < STEPS; s++) {
            try (NativeScope scope = NativeScope.open()) {
                float[] slice = java.util.Arrays.copyOfRange(data[s], from * 3 * 32 * 32, (from + count) * 3 * 32 * 32);
                long[] l = java.util.Arrays.copyOfRange(labels(s, total), from, from + count);
                Tensor x = Tensors.fromFloats(slice, count, 3, 32, 32).to(torch.ScalarType.Double);
                Tensor y = Tensors.fromHost(TensorData.ofLongs(new long[] {count}, l));
                step.run(x, y, s, false);
            }
        }
        Map<String, TensorData> out = new java.util.LinkedHashMap<>();
        StateDict.toHost(net).forEach((k, v) -> {
            if (!k.contains("running") && !k.contains("num_batches")) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Test
    void twoRanksOnHalvesEqualOneProcessOnTheWholeBatch() throws Exception {
        float[][] data = batches(8);
        Map<String, TensorData> single;
        try (ResidualNetwork net = modelInFloat64()) {
            single = train(net, null, data, 0, 8, 8);
        }
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Map<String, TensorData>>> ranks = new ArrayList<>();
            // built here, one after the other: the init draws from libtorch's one global generator
            ResidualNetwork[] nets = {modelInFloat64(), modelInFloat64()};
            for (int r = 0; r < 2; r++) {
                int rank = r;
                ranks.add(pool.submit(() -> {
                    try (RankGroup group = RankGroup.connect(new DistConfig("127.0.0.1", port, 2, rank, "gloo", 60));
                         ResidualNetwork net = nets[rank]) {
                        return train(net, new GradientSync(group, Parameters.of(net), GradientSync.Mode.REDUCER), data,
                                rank * 4, 4, 8);
                    }
                }));
            }
            Map<String, TensorData> rank0 = ranks.get(0).get(300, TimeUnit.SECONDS);
            Map<String, TensorData> rank1 = ranks.get(1).get(300, TimeUnit.SECONDS);
            double worst = 0;
            for (Map.Entry<String, TensorData> e : single.entrySet()) {
                assertThat(rank0.get(e.getKey())).as("ranks agree bit for bit on " + e.getKey()).isEqualTo(rank1.get(e.getKey()));
                double[] a = e.getValue().toDoubles();
                double[] b = rank0.get(e.getKey()).toDoubles();
                double max = 0;
                double diff = 0;
                for (int i = 0; i < a.length; i++) {
                    max = Math.max(max, Math.abs(a[i]));
                    diff = Math.max(diff, Math.abs(a[i] - b[i]));
                }
                worst = Math.max(worst, max == 0 ? diff : diff / max);
            }
            assertThat(worst).as("max relative difference to the single process").isLessThan(1e-12);
        } finally {
            pool.shutdownNow();
        }
    }
}
