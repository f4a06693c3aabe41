package org.leno.internal.train;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.OptimizerKernels;

/**
 * A benchmark, not a test: SGD's step (momentum 0.9, weight decay 1e-4) over a channels-last
 * network's parameters with random gradients laid out as their weights, libtorch's fused kernel
 * against the parameter-by-parameter loop, alternated in one process. Prints the median ms per step
 * of each and their ratio.
 * Usage: OptimizerRate [ARCH] [DEPTH] [ROUNDS] [STEPS] [THREADS]
 */
public final class OptimizerRate {
    private OptimizerRate() {
    }

    public static void main(String[] args) {
        Arch arch = Arch.byId(args.length > 0 ? args[0] : "resnet").orElseThrow();
        int depth = args.length > 1 ? Integer.parseInt(args[1]) : 50;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        Natives.load();
        Natives.threads(args.length > 4 ? Integer.parseInt(args[4]) : 2);
        try (ResidualNetwork fused = channelsLast(arch, depth); ResidualNetwork loop = channelsLast(arch, depth)) {
            Sgd a = withGradients(fused, OptimizerKernels.find());
            Sgd b = withGradients(loop, Optional.empty());
            double[] ms = new double[2 * rounds];
            for (int r = 0; r < rounds; r++) {
                ms[2 * r] = time(a, steps);
                ms[2 * r + 1] = time(b, steps);
            }
            double[] ratios = new double[rounds];
            double[] msA = new double[rounds];
            double[] msB = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                msA[r] = ms[2 * r];
                msB[r] = ms[2 * r + 1];
                ratios[r] = msB[r] / msA[r];
            }
            System.out.printf("fused %.2f ms/step, loop %.2f ms/step, loop/fused %.2fx (medians of %d rounds of %d steps)%n",
                    median(msA), median(msB), median(ratios), rounds, steps);
        }
    }

    private static ResidualNetwork channelsLast(Arch arch, int depth) {
        ResidualNetwork net = ModelRegistry.create(new ModelConfig(arch, depth, 1000, false, 0));
        net.toChannelsLast();
        return net;
    }

    private static Sgd withGradients(ResidualNetwork net, Optional<OptimizerKernels> kernels) {
        List<Tensor> params = Parameters.of(net);
        try (NativeScope scope = NativeScope.open()) {
            for (Tensor p : params) {
                Tensor g = torch.randn_like(p).mul_(new Scalar(1e-3));
                p.mutable_grad().put(g);
            }
        }
        ParamGroup all = new ParamGroup("all", Sgd.names(params.size()), params, 1e-4);
        return new Sgd(List.of(all), 1e-3, 0.9, false, kernels);
    }

    private static double time(Sgd sgd, int steps) {
        try (NativeScope scope = NativeScope.open()) {
            sgd.step();
        }
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            try (NativeScope scope = NativeScope.open()) {
                sgd.step();
            }
        }
        return (System.nanoTime() - start) / 1e6 / steps;
    }

    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
