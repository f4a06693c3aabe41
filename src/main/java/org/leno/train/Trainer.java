package org.leno.train;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.data.Augmentation;
import org.leno.data.Batch;
import org.leno.data.DataLoader;
import org.leno.data.Datasets;
import org.leno.data.EpochSampler;
import org.leno.data.ImageSource;
import org.leno.data.RandomResizedCrop;
import org.leno.data.TrainTransform;
import org.leno.data.ValTransform;
import org.leno.distributed.DistConfig;
import org.leno.distributed.GradientSync;
import org.leno.distributed.ProcessGroup;
import org.leno.interop.ModelWeights;
import org.leno.interop.WeightFiles;
import org.leno.model.ModelRegistry;
import org.leno.model.ResidualNetwork;
import org.leno.nn.ComputeDevice;
import org.leno.nn.NativeScope;
import org.leno.nn.Natives;
import org.leno.nn.StateDict;
import org.leno.nn.Tensors;

/** The reference training program: train, validate, log and checkpoint each epoch; or evaluate. */
public final class Trainer {

    /** Ends a run early with an exit code (a signal, a non-finite loss). */
    public static final class Stopped extends RuntimeException {
        private final int exitCode;

        public Stopped(String message, int exitCode) {
            super(message);
            this.exitCode = exitCode;
        }

        public int exitCode() { return exitCode; }
    }

    /** The averages of an epoch. */
    public record EpochResult(double loss, double acc1, double acc5) {}

    private final TrainConfig cfg;
    private final DistConfig dist;
    private final Map<String, Object> args;
    private final PrintStream out;
    private volatile String stopSignal;
    /** The seed every rank uses (rank 0's when they were started with different ones). */
    private long seed;

    /** {@code dist}: this process's place in a distributed run, or null; {@code args}: what args.json records. */
    public Trainer(TrainConfig cfg, DistConfig dist, Map<String, Object> args, PrintStream out) {
        this.cfg = cfg;
        this.dist = dist;
        this.args = args;
        this.out = out;
        this.seed = cfg.runtime().seed();
    }

    /** Asks the run to stop after the current step, saving a resumable checkpoint (as SIGINT/SIGTERM do). */
    public void requestStop(String signal) {
        stopSignal = signal;
    }

    public int run() {
        ResultFiles files = new ResultFiles(cfg.checkpointing().resultPath());
        if (!cfg.checkpointing().evaluate() && writesFiles()) {
            files.prepare();
        }
        try (ProcessGroup group = dist != null ? ProcessGroup.connect(dist) : null) {
            if (group != null) {
                out.printf("=> rank %d of %d joined at %s:%d (gloo)%n", group.rank(), group.worldSize(), dist.host(),
                        dist.port());
                seed = agreedSeed(group);
            }
            describe();
            return run(files, group);
        }
    }

    /** Rank 0's seed on every rank: shards come from one shuffle, and only rank 0 records its seed. */
    private long agreedSeed(ProcessGroup group) {
        double[] range = group.max(new double[] {seed, -seed});
        if (range[0] == seed && -range[1] == seed) {
            return seed;
        }
        long agreed = (long) group.sum(new double[] {group.rank() == 0 ? seed : 0})[0];
        out.printf("=> ranks were started with different seeds; all use rank 0's (%d)%n", agreed);
        return agreed;
    }

    private void describe() {
        TrainConfig.Data d = cfg.data();
        String source = d.dummy() ? "synthetic data (--dummy)" : d.data() == null
                ? "the embedded Fashion-MNIST subset (6,000 train / 1,000 val images, 10 classes, 28x28 grey)" : d.data();
        if (cfg.checkpointing().evaluate()) {
            out.println("=> evaluating " + cfg.model().name() + " on " + source);
            return;
        }
        TrainConfig.Optimization o = cfg.optimization();
        TrainConfig.Schedule s = cfg.schedule();
        out.println("=> training " + cfg.model().name() + " on " + source);
        out.printf("   epochs %d, batch %d, lr %s (x%s at epochs %s), momentum %s, weight decay %s, crop %d "
                        + "(area %s-%s), val %d/%d, workers %d, seed %d, results in %s%n", s.epochs(), d.batchSize(),
                o.lr(), s.lrReduceFactor(), Arrays.toString(s.lrSteps()), o.momentum(), o.weightDecay(),
                d.trainCropSize(), d.cropScale()[0], d.cropScale()[1], d.valResize(), d.valCropSize(), d.workers(), seed,
                cfg.checkpointing().resultPath());
    }

    private boolean writesFiles() {
        return cfg.writesFiles(dist);
    }

    private int rank() {
        return dist != null ? dist.rank() : 0;
    }

    private int world() {
        return dist != null ? dist.worldSize() : 1;
    }

    private int run(ResultFiles files, org.leno.distributed.ProcessGroup group) {
        TrainConfig.Data d = cfg.data();
        Augmentation aug = cfg.augmentation();
        boolean evaluate = cfg.checkpointing().evaluate();
        Natives.threads(cfg.runtime().threads());
        Natives.seed(seed);
        Datasets.Spec spec = new Datasets.Spec(d.data(), d.dummy(), d.trainCropSize(), cfg.model().nClasses(), seed,
                d.maxImagePixels());
        ImageSource valSet = limit(Datasets.open(spec, "val"), d.valSamples());
        ImageSource trainSet = evaluate ? null : limit(Datasets.open(spec, "train"), d.trainSamples());
        if (valSet.classes().size() > cfg.model().nClasses()) {
            throw new IllegalArgumentException("the data has " + valSet.classes().size() + " classes but --n_classes is "
                    + cfg.model().nClasses());
        }
        ComputeDevice device = ComputeDevice.of(cfg.runtime().gpu() == null ? -1 : cfg.runtime().gpu());
        if (device.isCuda()) {
            out.println("=> computing on " + device);
        }
        try (ResidualNetwork net = ModelRegistry.create(cfg.model());
             DataLoader valLoader = new DataLoader(valSet, aug.valTransform(d.valResize(), d.valCropSize()),
                     new EpochSampler(valSet.size(), false, seed, rank(), world()),
                     new DataLoader.Config(d.batchSize(), d.workers(), false, seed, d.strictData(),
                             cfg.runtime().channelsLast()))) {
            device.moveModule(net);
            if (cfg.runtime().channelsLast()) {
                net.toChannelsLast();
            }
            List<Tensor> params = Parameters.of(net);
            TrainConfig.Optimization o = cfg.optimization();
            Sgd sgd = new Sgd(params, o.lr(), o.momentum(), o.weightDecay(), o.nesterov());
            int startEpoch = cfg.schedule().startEpoch();
            double best = 0;
            Optional<Checkpoint.MidEpoch> mid = Optional.empty();
            Path resume = cfg.checkpointing().resume();
            if (resume != null) {
                WeightFiles.Loaded loaded = ModelWeights.load(net, resume);
                Checkpoint.Resumed r = Checkpoint.read(loaded);
                out.printf("=> loaded checkpoint '%s' (epoch %d)%n", resume, r.epoch());
                if (!evaluate) {
                    r.optimizer().ifPresent(state -> sgd.loadStateDict(state, resume.toString()));
                    startEpoch = r.epoch();
                    best = r.bestAcc1();
                    mid = r.midEpoch();
                }
            }
            if (group != null) {
                // every rank starts from rank 0's weights, buffers and momentum
                group.broadcast(new ArrayList<>(StateDict.of(net).values()));
            }
            if (evaluate) {
                validate(net, valLoader, group, device);
                return 0;
            }
            if (writesFiles()) {
                files.writeArgs(args, resume != null);
            }
            double[] scale = d.cropScale();
            TrainTransform transform = aug.trainTransform(d.trainCropSize(),
                    new RandomResizedCrop(scale[0], scale[1], 3.0 / 4.0, 4.0 / 3.0));
            try (DataLoader trainLoader = new DataLoader(trainSet, transform,
                    aug.trainSampler(trainSet.size(), seed, rank(), world()),
                    new DataLoader.Config(d.batchSize(), d.workers(), false, seed, d.strictData(),
                            cfg.runtime().channelsLast()))) {
                LrSchedule schedule = schedule();
                GradientSync sync = group == null ? null : new GradientSync(group, params, cfg.distributed().ddp());
                for (int epoch = startEpoch; epoch < cfg.schedule().epochs(); epoch++) {
                    double lr = schedule.lr(epoch);
                    sgd.setLr(lr);
                    Optional<Checkpoint.MidEpoch> resumeAt = mid;
                    mid = Optional.empty();
                    EpochResult tr = trainEpoch(net, sgd, trainLoader, epoch, resumeAt, files, best, sync, device);
                    if (writesFiles()) {
                        files.logTrain(epoch + 1, tr.loss(), tr.acc1(), tr.acc5(), lr);
                    }
                    EpochResult va = validate(net, valLoader, group, device);
                    boolean isBest = va.acc1() > best;
                    best = Math.max(best, va.acc1());
                    if (group != null) {
                        checkInSync(params, group);
                    }
                    if (writesFiles()) {
                        files.logVal(epoch + 1, va.loss(), va.acc1(), va.acc5());
                        saveCheckpoint(net, sgd, epoch + 1, best, va.acc1(), Optional.empty(), files);
                        if (isBest) {
                            Checkpoint.copy(files.checkpoint(), files.best());
                        }
                    }
                }
            }
        }
        return 0;
    }

    /** Writes checkpoint.pth.tar, streaming the tensors from native memory (no Java heap copy). */
    private void saveCheckpoint(ResidualNetwork net, Sgd sgd, int epoch, double best, double valAcc1,
                                Optional<Checkpoint.MidEpoch> mid, ResultFiles files) {
        try (NativeScope scope = NativeScope.open()) {
            checkpoint(net, sgd, epoch, best, valAcc1, mid).save(files.checkpoint());
        }
    }

    private Checkpoint checkpoint(ResidualNetwork net, Sgd sgd, int epoch, double best, double valAcc1,
                                  Optional<Checkpoint.MidEpoch> mid) {
        LrSchedule s = schedule();
        Map<String, Object> scheduler = new java.util.LinkedHashMap<>();
        scheduler.put("type", "MultiStepLR");
        scheduler.put("milestones", java.util.Arrays.stream(s.milestones()).mapToObj(m -> (Object) (long) m).toList());
        scheduler.put("gamma", s.gamma());
        scheduler.put("base_lr", s.base());
        scheduler.put("reference_compat", s.referenceCompat());
        scheduler.put("last_epoch", (long) epoch);
        return new Checkpoint(epoch, cfg.model().arch().id(), StateDict.lazy(net), best, valAcc1, sgd.stateDict(),
                scheduler, seed, cfg.model().depth(), cfg.model().nClasses(), mid);
    }

    private LrSchedule schedule() {
        TrainConfig.Schedule s = cfg.schedule();
        return new LrSchedule(cfg.optimization().lr(), s.lrSteps(), s.lrReduceFactor(), s.compat());
    }

    private EpochResult trainEpoch(ResidualNetwork net, Sgd sgd, DataLoader loader, int epoch,
                                   Optional<Checkpoint.MidEpoch> resumeAt, ResultFiles files, double best,
                                   GradientSync sync, ComputeDevice device) {
        net.train(true);
        int batches = loader.batchesPerEpoch();
        Meter batchTime = new Meter("Time", "%6.3f");
        Meter dataTime = new Meter("Data", "%6.3f");
        Meter losses = new Meter("Loss", "%.4e");
        Meter top1 = new Meter("Acc@1", "%6.2f");
        Meter top5 = new Meter("Acc@5", "%6.2f");
        TrainStep step = new TrainStep(net, sgd, cfg.runtime().amp() == Amp.BF16, sync, device);
        int start = 0;
        if (resumeAt.isPresent() && resumeAt.get().epoch() == epoch) {
            Checkpoint.MidEpoch m = resumeAt.get();
            start = m.batchesDone();
            losses.restore(m.lossSum(), m.count());
            top1.restore(m.acc1Sum(), m.count());
            top5.restore(m.acc5Sum(), m.count());
        }
        int digits = Integer.toString(batches).length();
        String progressFormat = "Epoch: [%d][%" + digits + "d/%d]";
        ProgressBar bar = cfg.runtime().progress() && System.console() != null ? new ProgressBarBuilder().setTaskName("epoch " + epoch)
                .setInitialMax(batches).setStyle(ProgressBarStyle.ASCII).continuousUpdate().build() : null;
        try (DataLoader.Epoch data = loader.epoch(epoch, start)) {
            long end = System.nanoTime();
            for (int i = start; data.hasNext(); i++) {
                try (Batch batch = data.next()) {
                    dataTime.update((System.nanoTime() - end) / 1e9, 1);
                    // dropout draws depend only on (seed, epoch, iteration), so a resumed run repeats them
                    long iteration = (long) epoch * batches + i;
                    int every = cfg.runtime().trackGradnorm();
                    boolean track = every > 0 && iteration % every == 0;
                    TrainStep.Result r = step.run(batch.images(), batch.labels(), mix(seed, epoch, i), true, track);
                    if (track && r.boundaryNorms() != null) {
                        files.logGradNorm(iteration, epoch, org.leno.analysis.BlockGradients.ratios(r.boundaryNorms()));
                    }
                    if (!Double.isFinite(r.loss())) {
                        throw new Stopped(String.format(Locale.ROOT,
                                "loss is %s at epoch %d, batch %d; stopped without saving (the last good checkpoint is %s)",
                                r.loss(), epoch, i, java.nio.file.Files.exists(files.checkpoint()) ? files.checkpoint()
                                        : "none"), 1);
                    }
                    losses.update(r.loss(), batch.size());
                    top1.update(100.0 * r.hits1() / batch.size(), batch.size());
                    top5.update(100.0 * r.hits5() / batch.size(), batch.size());
                }
                batchTime.update((System.nanoTime() - end) / 1e9, 1);
                end = System.nanoTime();
                if (bar != null) {
                    bar.stepTo(i + 1);
                    bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f acc@1 %.2f", losses.average(), top1.average()));
                }
                if (i % cfg.runtime().printFreq() == 0) {
                    out.println(String.join("\t", String.format(progressFormat, epoch, i, batches),
                            batchTime.toString(), dataTime.toString(), losses.toString(), top1.toString(), top5.toString()));
                }
                if (stopSignal != null && writesFiles()) {
                    Checkpoint.MidEpoch m = new Checkpoint.MidEpoch(epoch, i + 1, losses.sum(), top1.sum(), top5.sum(),
                            losses.count());
                    saveCheckpoint(net, sgd, epoch, best, 0, Optional.of(m), files);
                    throw new Stopped("stopped by " + stopSignal + " after batch " + (i + 1) + " of epoch " + epoch
                            + "; resume with --resume " + files.checkpoint(), stopSignal.equals("SIGTERM") ? 143 : 130);
                }
            }
            if (data.skippedSummary() != null) {
                out.println(data.skippedSummary());
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        return new EpochResult(losses.average(), top1.average(), top5.average());
    }

    /**
     * Validates on the whole val set, printing the reference's progress lines and its " * Acc@1"
     * line. Distributed, each rank validates its shard and the sums are all-reduced, so every rank
     * reports the same numbers and each image counts once (shard padding is left out).
     */
    public EpochResult validate(ResidualNetwork net, DataLoader loader, ProcessGroup group,
                                ComputeDevice device) {
        net.eval();
        int batches = loader.batchesPerEpoch();
        Meter batchTime = new Meter("Time", "%6.3f");
        Meter losses = new Meter("Loss", "%.4e");
        Meter top1 = new Meter("Acc@1", "%6.2f");
        Meter top5 = new Meter("Acc@5", "%6.2f");
        int digits = Integer.toString(batches).length();
        String progressFormat = "Test: [%" + digits + "d/%d]";
        try (DataLoader.Epoch data = loader.epoch(0)) {
            long end = System.nanoTime();
            for (int i = 0; data.hasNext(); i++) {
                try (Batch batch = data.next(); NativeScope scope = NativeScope.open(); NoGradGuard g = new NoGradGuard()) {
                    int n = batch.real();
                    if (n > 0) {
                        Tensor output = net.forward(device.put(batch.images())).narrow(0, 0, n);
                        Tensor labels = device.put(batch.labels()).narrow(0, 0, n);
                        double loss = torch.cross_entropy(output, labels).item_double();
                        int[] h = TrainStep.hits(output, labels);
                        losses.update(loss, n);
                        top1.update(100.0 * h[0] / n, n);
                        top5.update(100.0 * h[1] / n, n);
                    }
                }
                batchTime.update((System.nanoTime() - end) / 1e9, 1);
                end = System.nanoTime();
                if (i % cfg.runtime().printFreq() == 0) {
                    out.println(String.join("\t", String.format(progressFormat, i, batches), batchTime.toString(),
                            losses.toString(), top1.toString(), top5.toString()));
                }
            }
            if (data.skippedSummary() != null) {
                out.println(data.skippedSummary());
            }
        }
        EpochResult result = new EpochResult(losses.average(), top1.average(), top5.average());
        if (group != null) {
            double[] s = group.sum(new double[] {losses.sum(), top1.sum(), top5.sum(), losses.count()});
            result = new EpochResult(s[0] / s[3], s[1] / s[3], s[2] / s[3]);
        }
        out.printf(Locale.ROOT, " * Acc@1 %.3f Acc@5 %.3f%n", result.acc1(), result.acc5());
        return result;
    }

    /** Fails unless every rank holds bit-identical parameters (a CRC of their bytes, compared by allreduce). */
    private void checkInSync(List<Tensor> params, ProcessGroup group) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        try (NativeScope scope = NativeScope.open()) {
            for (Tensor p : params) {
                Tensors.lazy(p).withBytes(crc::update);
            }
        }
        double mine = crc.getValue();
        double[] max = group.max(new double[] {mine, -mine});
        if (max[0] != mine || -max[1] != mine) {
            throw new IllegalStateException("rank " + group.rank() + ": parameters differ between ranks after the epoch");
        }
        out.printf("=> parameters identical on all %d ranks (crc32 %08x)%n", group.worldSize(), (long) mine);
    }

    private static ImageSource limit(ImageSource source, int samples) {
        return samples > 0 && samples < source.size() ? new org.leno.data.Subset(source, samples) : source;
    }

    static long mix(long seed, int epoch, int iteration) {
        long z = seed * 0x9E3779B97F4A7C15L + (epoch + 1) * 0xBF58476D1CE4E5B9L + iteration * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 31)) * 0xD6E8FEB86659FD93L;
        return z ^ (z >>> 32);
    }
}
