package org.leno.internal.train;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Tensor;
import org.leno.internal.data.augment.Augmentation;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.data.datasets.Datasets;
import org.leno.internal.data.loader.EpochSampler;
import org.leno.internal.data.datasets.ImageSource;
import org.leno.internal.data.augment.RandomResizedCrop;
import org.leno.internal.data.datasets.Subset;
import org.leno.internal.distributed.DistConfig;
import org.leno.internal.distributed.GradientSync;
import org.leno.internal.distributed.RankGroup;
import org.leno.internal.distributed.SyncBatchNorm;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.ComputeDevice;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;

/**
 * Builds a run's {@link RunParts} from its configuration, in the order the reference sets a run up:
 * the seed all ranks agree on, the datasets, the device, the model (with --weights), optimizer, weight
 * average and loss scaler, the loaders, the resume, rank 0's tensors broadcast to every rank, then the
 * schedule, gradient sync and training step. It also prints the run's opening lines.
 */
final class RunBuilder {
    private final TrainConfig cfg;
    private final DistConfig dist;
    private final ResultFiles files;
    private final PrintStream out;
    private final RankGroup group;
    private long seed;

    /** {@code group}: the distributed group that {@code dist} joined, or null (as {@code dist}) when training alone. */
    RunBuilder(TrainConfig cfg, DistConfig dist, RankGroup group, ResultFiles files, PrintStream out) {
        this.cfg = cfg;
        this.dist = dist;
        this.group = group;
        this.files = files;
        this.out = out;
        this.seed = cfg.runtime().seed();
    }

    RunParts build() {
        if (group != null) {
            out.printf("=> rank %d of %d joined at %s:%d (%s)%n", group.rank(), group.worldSize(), dist.host(), dist.port(),
                    group.backend());
            seed = agreedSeed();
        }
        describe();
        boolean evaluate = cfg.checkpointing().evaluate();
        Natives.threads(cfg.runtime().threads());
        Natives.seed(seed);
        TrainConfig.Data d = cfg.data();
        Datasets.Spec spec = new Datasets.Spec(d.data(), d.dummy(), d.trainCropSize(), cfg.model().nClasses(), seed,
                d.maxImagePixels());
        ImageSource valSet = limit(Datasets.open(spec, "val"), d.valSamples());
        ImageSource trainSet = evaluate ? null : limit(Datasets.open(spec, "train"), d.trainSamples());
        if (valSet.classes().size() > cfg.model().nClasses()) {
            throw new IllegalArgumentException("the data has " + valSet.classes().size() + " classes but --n_classes is "
                    + cfg.model().nClasses());
        }
        RunParts.Model m = model();
        DataLoader valLoader = valLoader(valSet, m.device());
        DataLoader trainLoader = trainSet == null ? null : trainLoader(trainSet, m.device());
        RunParts.Start start = CheckpointResumer.resume(cfg, files, out, m, trainLoader == null ? 0 : trainLoader.batchesPerEpoch());
        shareRankZeros(m);
        LrSchedule schedule = new LrSchedule(cfg.optimization().lr(), cfg.schedule());
        GradientSync sync = group == null ? null : new GradientSync(group, m.optimizer().params(), cfg.distributed().ddp(),
                cfg.distributed().ddpComm());
        TrainStep step = new TrainStep(m.net(), m.optimizer(), cfg.runtime().amp(), sync, m.device(),
                cfg.regularization().labelSmoothing(), cfg.optimization().clipGradNorm()).withScaler(m.scaler());
        RunParts.Loaders loaders = new RunParts.Loaders(valLoader, trainLoader,
                cfg.augmentation().batchMix(cfg.model().nClasses()));
        return new RunParts(seed, group, m, loaders, schedule, step, start, RunModelCard.of(cfg, valSet).toMap());
    }

    /** The device, the network on it (with --weights), its optimizer, weight average and loss scaler. */
    private RunParts.Model model() {
        ComputeDevice device = ComputeDevice.of(cfg.cudaDevice(System.getenv())); // --gpu, or LOCAL_RANK under nccl
        if (device.isCuda()) {
            out.println("=> computing on " + device);
        }
        ResidualNetwork net = ModelRegistry.create(cfg.model());
        device.moveModule(net);
        if (cfg.runtime().channelsLast()) {
            net.toChannelsLast();
        }
        if (cfg.checkpointing().weights() != null) {
            List<String> reset = ModelWeights.loadForFineTuning(net, cfg.checkpointing().weights());
            out.printf("=> starting from the weights of '%s'%s%n", cfg.checkpointing().weights(),
                    reset.isEmpty() ? "" : "; re-initialised " + String.join(", ", reset) + " (another class count)");
        }
        Optimizer optimizer = OptimizerKind.create(cfg.optimization(), net);
        ModelEma ema = cfg.regularization().modelEma() ? ModelEma.of(net, emaDecay()) : null;
        GradScaler scaler = cfg.runtime().amp().newScaler();
        return new RunParts.Model(device, net, optimizer, ema, scaler);
    }

    private DataLoader valLoader(ImageSource valSet, ComputeDevice device) {
        TrainConfig.Data d = cfg.data();
        return new DataLoader(valSet, cfg.augmentation().valTransform(d.valResize(), d.valCropSize()),
                new EpochSampler(valSet.size(), false, seed, rank(), world()), loaderConfig(device));
    }

    private DataLoader trainLoader(ImageSource trainSet, ComputeDevice device) {
        TrainConfig.Data d = cfg.data();
        Augmentation aug = cfg.augmentation();
        double[] scale = d.cropScale();
        return new DataLoader(trainSet,
                aug.trainTransform(d.trainCropSize(), new RandomResizedCrop(scale[0], scale[1], 3.0 / 4.0, 4.0 / 3.0)),
                aug.trainSampler(trainSet.size(), seed, rank(), world()), loaderConfig(device));
    }

    private int rank() {
        return group == null ? 0 : group.rank();
    }

    private int world() {
        return group == null ? 1 : group.worldSize();
    }

    private DataLoader.Config loaderConfig(ComputeDevice device) {
        TrainConfig.Data d = cfg.data();
        return new DataLoader.Config(d.batchSize(), d.workers(), false, seed, d.strictData(), cfg.runtime().channelsLast(),
                device.isCuda());
    }

    /** Every rank starts from rank 0's weights, buffers, optimizer state and average; then --sync-bn. */
    private void shareRankZeros(RunParts.Model m) {
        if (group == null) {
            return;
        }
        List<Tensor> shared = new ArrayList<>(StateDict.of(m.net()).values());
        if (m.ema() != null) {
            shared.addAll(m.ema().tensors());
        }
        group.broadcast(shared);
        if (cfg.distributed().syncBn()) {
            SyncBatchNorm.enable(m.net().batchNorms(), group);
        }
    }

    /** torchvision's EMA decay, adjusted to the images per update and the number of epochs. */
    private double emaDecay() {
        TrainConfig.Regularization r = cfg.regularization();
        int perProcess = cfg.data().batchSize() * cfg.optimization().accumSteps();
        return ModelEma.adjustedDecay(r.modelEmaDecay(), world(), perProcess, r.modelEmaSteps(),
                Math.max(1, cfg.schedule().epochs()));
    }

    /** Rank 0's seed on every rank: shards come from one shuffle, and only rank 0 records its seed. */
    private long agreedSeed() {
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
        out.printf("   epochs %d, batch %d, %s lr %s (%s%s%s), momentum %s, weight decay %s, crop %d "
                        + "(area %s-%s), val %d/%d, workers %d, seed %d, results in %s%n", s.epochs(), d.batchSize(),
                o.optimizer(), o.lr(), s.scheduler().describe(s), s.warmupEpochs() > 0 ? ", " + s.warmupEpochs()
                        + " warm-up epochs" : "", s.onUpdates() ? ", per update" : "", o.momentum(), o.weightDecay(),
                d.trainCropSize(), d.cropScale()[0], d.cropScale()[1], d.valResize(), d.valCropSize(), d.workers(), seed,
                cfg.checkpointing().resultPath());
    }

    private static ImageSource limit(ImageSource source, int samples) {
        return samples > 0 && samples < source.size() ? new Subset(source, samples) : source;
    }
}
