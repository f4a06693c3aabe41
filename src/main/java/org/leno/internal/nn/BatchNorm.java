package org.leno.internal.nn;

import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.BatchNormOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;
import org.bytedeco.pytorch.TensorTensorHook;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * libtorch's BatchNorm2d (same parameters, buffers and state_dict), which in training can take its
 * batch statistics over all processes of a distributed run, as torch.nn.SyncBatchNorm: each process's
 * per-channel count, mean and variance are all-gathered (one allreduce of a world x (2C+1) table),
 * combined as batch_norm_gather_stats_with_counts does, and the running statistics updated with the
 * combined mean and the unbiased combined variance. The combination is written with autograd
 * operations, and the gradient that reaches the gathered table is summed over the processes by a
 * hook during backward: that is SyncBatchNorm's backward (its sum_dy and sum_dy_xmu all-reduced),
 * so each process's input gradient includes what its samples contributed to the others' losses.
 * Without {@link #synchronize} (or in eval mode) it is libtorch's own batch_norm.
 */
public final class BatchNorm extends BatchNorm2dImpl {
    /** Sums a tensor element-wise over the processes, in place (an allreduce). */
    @FunctionalInterface
    public interface Allreduce {
        void sum(Tensor t);
    }

    private final long channels;
    private Allreduce allreduce;
    private int rank;
    private int world;
    private SumOverProcesses hook;

    public BatchNorm(long channels) {
        super(new BatchNormOptions(channels));
        this.channels = channels;
    }

    /** From now on, training-mode statistics are taken over {@code world} processes; this one is {@code rank}. */
    public void synchronize(Allreduce allreduce, int rank, int world) {
        this.allreduce = allreduce;
        this.rank = rank;
        this.world = world;
        this.hook = new SumOverProcesses(allreduce);
    }

    @Override
    public Tensor forward(Tensor x) {
        if (allreduce == null || !is_training()) {
            return super.forward(x);
        }
        return synchronizedForward(x);
    }

    private Tensor synchronizedForward(Tensor x) {
        Tensor xf = Tensors.is(x, torch.ScalarType.Float) ? x : x.to(torch.ScalarType.Float);
        var vm = torch.var_mean(xf, new long[] {0, 2, 3}, false, false);
        Tensor local = torch.cat(new TensorVector(vm.get1(), vm.get0())).to(torch.ScalarType.Double); // [mean, var]
        double count = (double) x.numel() / channels;
        Tensor table = gather(local, count);
        // the table's value, with this rank's row carrying the gradient to its own mean and variance
        Tensor onehot = like(x, torch.zeros(world, 1));
        onehot.narrow(0, rank, 1).fill_(new Scalar(1.0));
        Tensor stats = table.narrow(1, 0, 2 * channels).add(onehot.mul(local.sub(local.detach()).unsqueeze(0)));
        stats.register_hook(hook);
        Tensor counts = table.narrow(1, 2 * channels, 1); // [world, 1]
        double total = counts.sum().item_double();
        Tensor means = stats.narrow(1, 0, channels);
        Tensor vars = stats.narrow(1, channels, channels);
        Tensor mean = counts.mul(means).sum(0).div(new Scalar(total));
        Tensor var = counts.mul(vars.add(means.sub(mean).square())).sum(0).div(new Scalar(total));
        updateRunningStatistics(mean, var, total);
        double eps = options().eps().get();
        Tensor invstd = var.add(new Scalar(eps)).rsqrt().to(torch.ScalarType.Float);
        Tensor scale = weight().mul(invstd);
        Tensor shift = bias().sub(mean.to(torch.ScalarType.Float).mul(scale));
        Tensor y = xf.mul(scale.view(1, channels, 1, 1)).add(shift.view(1, channels, 1, 1));
        return Tensors.is(y, x.scalar_type()) ? y : y.to(x.scalar_type());
    }

    /** {@code t} in float64 on {@code x}'s device (the collectives run where the activations are). */
    private static Tensor like(Tensor x, Tensor t) {
        Tensor d = t.to(torch.ScalarType.Double);
        return x.is_cuda() ? d.to(x.device(), torch.ScalarType.Double) : d;
    }

    /** Every process's [mean, var, count] row, through one allreduce of a table with only this rank's row filled. */
    private Tensor gather(Tensor local, double count) {
        try (NoGradGuard g = new NoGradGuard()) {
            Tensor table = like(local, torch.zeros(world, 2 * channels + 1));
            Tensor row = table.select(0, rank);
            row.narrow(0, 0, 2 * channels).copy_(local);
            row.narrow(0, 2 * channels, 1).fill_(new Scalar(count));
            allreduce.sum(table);
            return table;
        }
    }

    /** As SyncBatchNorm: running_mean and running_var move by momentum towards the mean and the unbiased variance. */
    private void updateRunningStatistics(Tensor mean, Tensor var, double total) {
        try (NoGradGuard g = new NoGradGuard()) {
            double momentum = options().momentum().has_value() ? options().momentum().get() : 0.1;
            Tensor rm = running_mean();
            Tensor rv = running_var();
            rm.mul_(new Scalar(1 - momentum)).add_(mean.to(rm.scalar_type()), new Scalar(momentum));
            rv.mul_(new Scalar(1 - momentum)).add_(var.mul(new Scalar(total / (total - 1))).to(rv.scalar_type()),
                    new Scalar(momentum));
            num_batches_tracked().add_(new Scalar(1L));
        }
    }

    /** During backward: the gradient of the gathered statistics, summed over the processes. */
    private static final class SumOverProcesses extends TensorTensorHook {
        private final Allreduce allreduce;

        SumOverProcesses(Allreduce allreduce) {
            this.allreduce = allreduce;
        }

        @Override
        public TensorBase call(TensorBase grad) {
            Tensor summed = new Tensor(grad).clone();
            allreduce.sum(summed);
            return summed;
        }
    }
}
