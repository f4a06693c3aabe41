package org.leno.internal.distributed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.leno.internal.interop.TensorData;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Tensors;
import org.leno.internal.train.Parameters;

/**
 * --ddp-comm fp16: DDP's fp16 compression hook on the native reducer, two ranks over Gloo. The
 * averaged gradients are bit-identical on both ranks, equal what the hook's arithmetic gives when
 * computed independently from each rank's own gradients (cast to fp16, halved, summed in fp16, cast
 * back), differ from the fp32 average by no more than that rounding, and do differ from it (the
 * compression is really applied).
 */
class CompressedAllreduceTest {
    static final int N = 8;
    static final int SIZE = 16;

    static float[] batch() {
        org.leno.internal.nn.Natives.seed(11);
        try (NativeScope scope = NativeScope.open()) {
            return Tensors.floats(torch.randn(N, 3, SIZE, SIZE));
        }
    }

    /** Each parameter's gradient after one forward and backward on {@code count} samples from {@code from}. */
    static List<float[]> gradients(ResidualNetwork net, GradientSync sync, float[] data, int from, int count) {
        List<float[]> out = new ArrayList<>();
        try (NativeScope scope = NativeScope.open()) {
            int size = 3 * SIZE * SIZE;
            Tensor x = Tensors.fromFloats(java.util.Arrays.copyOfRange(data, from * size, (from + count) * size),
                    count, 3, SIZE, SIZE);
            long[] l = java.util.Arrays.copyOfRange(DataParallelEquivalenceTest.labels(0, N), from, from + count);
            Tensor y = Tensors.fromHost(TensorData.ofLongs(new long[] {count}, l));
            if (sync != null) {
                sync.beforeForward();
            }
            Tensor output = net.forward(x);
            Tensor loss = torch.cross_entropy(output, y);
            net.zero_grad(true);
            if (sync != null) {
                sync.beforeBackward(output);
                sync.backward(loss);
                sync.afterBackward();
            } else {
                loss.backward();
            }
            for (Tensor p : Parameters.of(net)) {
                out.add(Tensors.floats(p.grad().contiguous()));
            }
        }
        return out;
    }

    static List<List<float[]>> twoRanks(float[] data, GradientSync.Compression compression) throws Exception {
        int port = DistributedTrainingTest.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            ResidualNetwork[] nets = {DataParallelEquivalenceTest.model(), DataParallelEquivalenceTest.model()};
            List<Future<List<float[]>>> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                ranks.add(pool.submit(() -> {
                    try (RankGroup group = RankGroup.connect(new DistConfig("127.0.0.1", port, 2, rank, "gloo", 60));
                         ResidualNetwork net = nets[rank]) {
                        GradientSync sync = new GradientSync(group, Parameters.of(net), GradientSync.Mode.REDUCER,
                                compression);
                        return gradients(net, sync, data, rank * N / 2, N / 2);
                    }
                }));
            }
            return List.of(ranks.get(0).get(300, TimeUnit.SECONDS), ranks.get(1).get(300, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    /** Each half's own gradients, in one process (eval-mode BatchNorm: a sample's gradient is the same anywhere). */
    static List<List<float[]>> local(float[] data) {
        try (ResidualNetwork net = DataParallelEquivalenceTest.model()) {
            return List.of(gradients(net, null, data, 0, N / 2), gradients(net, null, data, N / 2, N / 2));
        }
    }

    /** fp16_compress_hook's arithmetic, element by element, through libtorch's fp16 casts and sum. */
    static float[] fp16Average(float[] g0, float[] g1) {
        try (NativeScope scope = NativeScope.open()) {
            Function<float[], Tensor> half = g -> Tensors.fromFloats(g, g.length).to(torch.ScalarType.Half)
                    .div(new org.bytedeco.pytorch.Scalar(2.0));
            return Tensors.floats(half.apply(g0).add(half.apply(g1)).to(torch.ScalarType.Float));
        }
    }

    @Test
    void fp16CompressedGradientsAreTheHooksRoundingOfTheAverageAndIdenticalOnBothRanks() throws Exception {
        float[] data = batch();
        List<List<float[]>> halves = local(data);
        List<float[]> g0 = halves.get(0);
        List<float[]> g1 = halves.get(1);
        List<List<float[]>> fp16 = twoRanks(data, GradientSync.Compression.FP16);
        long differing = 0;
        long elements = 0;
        double worstUlps = 0;
        for (int p = 0; p < g0.size(); p++) {
            assertThat(fp16.get(0).get(p)).as("ranks bit-identical, parameter " + p).isEqualTo(fp16.get(1).get(p));
            float[] expected = fp16Average(g0.get(p), g1.get(p));
            float[] got = fp16.get(0).get(p);
            float[] exact = new float[got.length]; // the reducer's fp32 average: halved, then summed
            for (int i = 0; i < exact.length; i++) {
                exact[i] = g0.get(p)[i] / 2 + g1.get(p)[i] / 2;
            }
            for (int i = 0; i < got.length; i++) {
                // one fp16 ulp of the result (2^-10 relative; fp16's smallest normal step below that)
                double ulp = Math.max(Math.ulp(expected[i]) * 8192.0, Math.scalb(1.0, -24));
                worstUlps = Math.max(worstUlps, Math.abs(got[i] - expected[i]) / ulp);
                // the fp32 average is within the hook's rounding: each half and the sum rounded to fp16
                double bound = 2 * Math.scalb(1.0, -11) * (Math.abs(g0.get(p)[i]) + Math.abs(g1.get(p)[i])) / 2
                        + Math.scalb(1.0, -11) * Math.abs(exact[i]) + 3 * Math.scalb(1.0, -24);
                assertThat((double) Math.abs(got[i] - exact[i])).as("parameter " + p + " element " + i).isLessThanOrEqualTo(bound);
                differing += got[i] != exact[i] ? 1 : 0;
                elements++;
            }
        }
        assertThat(worstUlps).as("distance from the hook's arithmetic, in fp16 ulps").isLessThanOrEqualTo(0.0);
        assertThat(differing).as("elements where compression changed the average").isGreaterThan(elements / 10);
    }

    @Test
    void bf16AndCompressionWithoutTheReducerAreOneLineErrors() throws Exception {
        int port = DistributedTrainingTest.freePort();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<String>> ranks = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                ranks.add(pool.submit(() -> {
                    try (RankGroup group = RankGroup.connect(new DistConfig("127.0.0.1", port, 2, rank, "gloo", 60));
                         ResidualNetwork net = DataParallelEquivalenceTest.model()) {
                        List<Tensor> params = Parameters.of(net);
                        assertThatThrownBy(() -> new GradientSync(group, params, GradientSync.Mode.COALESCED,
                                GradientSync.Compression.FP16)).hasMessageContaining("needs --ddp reducer");
                        assertThatThrownBy(() -> new GradientSync(group, params, GradientSync.Mode.REDUCER,
                                GradientSync.Compression.BF16)).hasMessageStartingWith("--ddp-comm bf16 is not available");
                        return "ok";
                    }
                }));
            }
            assertThat(ranks.get(0).get(120, TimeUnit.SECONDS)).isEqualTo("ok");
            assertThat(ranks.get(1).get(120, TimeUnit.SECONDS)).isEqualTo("ok");
        } finally {
            pool.shutdownNow();
        }
    }
}
