package org.leno.train;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.leno.analysis.BlockGradients;
import org.leno.data.Augmentation;
import org.leno.data.Batch;
import org.leno.data.BatchMix;
import org.leno.data.DataLoader;
import org.leno.data.Datasets;
import org.leno.data.EpochSampler;
import org.leno.data.ImageSource;
import org.leno.data.RandomResizedCrop;
import org.leno.data.Subset;
import org.leno.distributed.DistConfig;
import org.leno.distributed.GradientSync;
import org.leno.distributed.ProcessGroup;
import org.leno.distributed.SyncBatchNorm;
import org.leno.interop.InterchangeException;
import org.leno.model.ModelWeights;
import org.leno.interop.TensorData;
import org.leno.interop.WeightFiles;
import org.leno.model.ModelRegistry;
import org.leno.model.ResidualNetwork;
import org.leno.nn.ComputeDevice;
import org.leno.nn.NativeScope;
import org.leno.nn.Natives;
import org.leno.nn.StateDict;
import org.leno.nn.Tensors;
import org.leno.report.Report;

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

    /** Asks the run to stop after the current update, saving a resumable checkpoint (as SIGINT/SIGTERM do). */
    public void requestStop(String signal) {
        stopSignal = signal;
    }

    public int run() {
        ResultFiles files = new ResultFiles(cfg.checkpointing().resultPath());
        if (!cfg.checkpointing().evaluate() && writesFiles()) {
            files.prepare();
        }
        try (ProcessGroup group = dist != null ? ProcessGroup.connect(dist, cfg.cudaDevice(System.getenv())) : null) {
            if (group != null) {
                out.printf("=> rank %d of %d joined at %s:%d (%s)%n", group.rank(), group.worldSize(), dist.host(),
                        dist.port(), group.backend());
                seed = agreedSeed(group);
            }
            describe();
            try (Run run = new Run(files, group)) {
                return run.execute();
            }
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
        String schedule = switch (s.scheduler()) {
            case MULTISTEP -> "x" + s.lrReduceFactor() + " at epochs " + Arrays.toString(s.lrSteps());
            case STEP -> "x" + s.lrGamma() + " every " + s.lrStepSize() + " epochs";
            case COSINE -> "cosine to " + s.lrMin();
            case EXPONENTIAL -> "x" + s.lrGamma() + " per epoch";
        };
        out.printf("   epochs %d, batch %d, %s lr %s (%s%s%s), momentum %s, weight decay %s, crop %d "
                        + "(area %s-%s), val %d/%d, workers %d, seed %d, results in %s%n", s.epochs(), d.batchSize(),
                o.optimizer(), o.lr(), schedule, s.warmupEpochs() > 0 ? ", " + s.warmupEpochs() + " warm-up epochs" : "",
                s.onUpdates() ? ", per update" : "", o.momentum(), o.weightDecay(), d.trainCropSize(), d.cropScale()[0],
                d.cropScale()[1], d.valResize(), d.valCropSize(), d.workers(), seed, cfg.checkpointing().resultPath());
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

    /** One run: its model, optimizer, average, loaders and progress, built from the configuration. */
    private final class Run implements AutoCloseable {
        private final ResultFiles files;
        private final ProcessGroup group;
        private final ComputeDevice device;
        private final ResidualNetwork net;
        private final Optimizer optimizer;
        private final ModelEma ema;
        /** --amp fp16's loss scaler, saved in checkpoints under "scaler"; null otherwise. */
        private final GradScaler scaler;
        private final DataLoader valLoader;
        private final DataLoader trainLoader;
        private final LrSchedule schedule;
        private final TrainStep step;
        private final Optional<BatchMix> mix;
        private final Report report;
        /** What every checkpoint records to be used without flags (ModelCard). */
        private final Map<String, Object> modelCard;
        private final boolean resumed;
        private int startEpoch;
        private double best;
        private long updates;
        private Optional<Checkpoint.MidEpoch> mid = Optional.empty();
        private double lastLr;

        Run(ResultFiles files, ProcessGroup group) {
            this.files = files;
            this.group = group;
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
            modelCard = RunModelCard.of(cfg, valSet).toMap();
            device = ComputeDevice.of(cfg.cudaDevice(System.getenv())); // --gpu, or LOCAL_RANK under nccl
            if (device.isCuda()) {
                out.println("=> computing on " + device);
            }
            net = ModelRegistry.create(cfg.model());
            device.moveModule(net);
            if (cfg.runtime().channelsLast()) {
                net.toChannelsLast();
            }
            if (cfg.checkpointing().weights() != null) {
                List<String> reset = ModelWeights.loadForFineTuning(net, cfg.checkpointing().weights());
                out.printf("=> starting from the weights of '%s'%s%n", cfg.checkpointing().weights(),
                        reset.isEmpty() ? "" : "; re-initialised " + String.join(", ", reset) + " (another class count)");
            }
            optimizer = cfg.optimization().create(net);
            ema = cfg.regularization().modelEma() ? ModelEma.of(net, emaDecay()) : null;
            scaler = cfg.runtime().amp() == Amp.FP16 ? new GradScaler() : null;
            valLoader = new DataLoader(valSet, aug.valTransform(d.valResize(), d.valCropSize()),
                    new EpochSampler(valSet.size(), false, seed, rank(), world()),
                    new DataLoader.Config(d.batchSize(), d.workers(), false, seed, d.strictData(), cfg.runtime().channelsLast(),
                            device.isCuda()));
            double[] scale = d.cropScale();
            trainLoader = evaluate ? null : new DataLoader(trainSet,
                    aug.trainTransform(d.trainCropSize(), new RandomResizedCrop(scale[0], scale[1], 3.0 / 4.0, 4.0 / 3.0)),
                    aug.trainSampler(trainSet.size(), seed, rank(), world()),
                    new DataLoader.Config(d.batchSize(), d.workers(), false, seed, d.strictData(), cfg.runtime().channelsLast(),
                            device.isCuda()));
            startEpoch = cfg.schedule().startEpoch();
            resumed = resume(evaluate);
            if (group != null) {
                // every rank starts from rank 0's weights, buffers, optimizer state and average
                List<Tensor> shared = new ArrayList<>(StateDict.of(net).values());
                if (ema != null) {
                    shared.addAll(ema.tensors());
                }
                group.broadcast(shared);
                if (cfg.distributed().syncBn()) {
                    SyncBatchNorm.enable(net.batchNorms(), group);
                }
            }
            schedule = cfg.schedule().lrSchedule(cfg.optimization().lr());
            GradientSync sync = group == null ? null : new GradientSync(group, optimizer.params(), cfg.distributed().ddp(),
                    cfg.distributed().ddpComm());
            step = new TrainStep(net, optimizer, cfg.runtime().amp(), sync, device, cfg.regularization().labelSmoothing(),
                    cfg.optimization().clipGradNorm()).withScaler(scaler);
            mix = aug.batchMix(cfg.model().nClasses());
            report = cfg.checkpointing().report() ? new Report() : null;
        }

        /** torchvision's EMA decay, adjusted to the images per update and the number of epochs. */
        private double emaDecay() {
            TrainConfig.Regularization r = cfg.regularization();
            int perProcess = cfg.data().batchSize() * cfg.optimization().accumSteps();
            return ModelEma.adjustedDecay(r.modelEmaDecay(), world(), perProcess, r.modelEmaSteps(),
                    Math.max(1, cfg.schedule().epochs()));
        }

        /** Loads --resume (or, with auto, this run's own checkpoint if any); whether it did. */
        private boolean resume(boolean evaluate) {
            Path file = cfg.checkpointing().resume();
            if (TrainConfig.Checkpointing.AUTO.equals(file)) {
                file = Files.isRegularFile(files.checkpoint()) ? files.checkpoint() : null;
                out.println(file == null ? "=> --resume auto: no checkpoint yet in " + files.dir() + ", starting fresh"
                        : "=> --resume auto: continuing from " + file);
            }
            if (file == null) {
                return false;
            }
            WeightFiles.Loaded loaded = ModelWeights.load(net, file);
            Checkpoint.Resumed r = Checkpoint.read(loaded);
            out.printf("=> loaded checkpoint '%s' (epoch %d)%n", file, r.epoch());
            String source = file.toString();
            if (ema != null) {
                r.modelEma().ifPresentOrElse(m -> ema.load(m, source),
                        () -> out.println("=> the checkpoint has no model_ema; the average starts from its weights"));
            }
            if (!evaluate) {
                r.optimizer().ifPresent(state -> optimizer.loadStateDict(state, source));
                if (scaler != null) {
                    r.scaler().ifPresent(state -> scaler.loadStateDict(state, source));
                }
                startEpoch = r.epoch();
                best = r.bestAcc1();
                updates = r.updates();
                mid = r.midEpoch();
            }
            return true;
        }

        int execute() {
            if (cfg.checkpointing().evaluate()) {
                validate(net, "");
                if (ema != null) {
                    validate(ema.model(), "EMA ");
                }
                return 0;
            }
            if (writesFiles()) {
                files.writeArgs(args, resumed);
            }
            mid.ifPresent(m -> {
                if (m.batchesDone() > trainLoader.batchesPerEpoch()) {
                    throw new InterchangeException(cfg.checkpointing().resume() + ": checkpoint field 'mid_epoch.batches_done' is "
                            + m.batchesDone() + ", an epoch here has " + trainLoader.batchesPerEpoch() + " batches");
                }
            });
            if (resumed && writesFiles()) {
                files.trimTo(startEpoch, updates,
                        (long) startEpoch * trainLoader.batchesPerEpoch() + mid.map(Checkpoint.MidEpoch::batchesDone).orElse(0));
            }
            for (int epoch = startEpoch; epoch < cfg.schedule().epochs(); epoch++) {
                Optional<Checkpoint.MidEpoch> resumeAt = mid;
                mid = Optional.empty();
                long t0 = System.nanoTime();
                EpochResult tr = trainEpoch(epoch, resumeAt);
                double trainSeconds = (System.nanoTime() - t0) / 1e9;
                if (writesFiles()) {
                    files.logTrain(epoch + 1, tr.loss(), tr.acc1(), tr.acc5(), lastLr);
                }
                long t1 = System.nanoTime();
                EpochResult va = validate(net, "");
                EpochResult ve = ema == null ? null : validate(ema.model(), "EMA ");
                double valSeconds = (System.nanoTime() - t1) / 1e9;
                boolean isBest = va.acc1() > best;
                best = Math.max(best, va.acc1());
                if (group != null) {
                    checkInSync();
                }
                if (writesFiles()) {
                    files.logVal(epoch + 1, va.loss(), va.acc1(), va.acc5());
                    if (ve != null) {
                        files.logValEma(epoch + 1, ve.loss(), ve.acc1(), ve.acc5());
                    }
                    int images = trainLoader.batchesPerEpoch() * cfg.data().batchSize() * world();
                    files.logTiming(epoch + 1, trainSeconds, valSeconds, images / trainSeconds);
                    endOfEpoch(epoch + 1, va.acc1(), isBest);
                }
            }
            return 0;
        }

        private void endOfEpoch(int epochsDone, double valAcc1, boolean isBest) {
            save(epochsDone, valAcc1, Optional.empty());
            if (isBest) {
                Checkpoint.copy(files.checkpoint(), files.best());
            }
            TrainConfig.Checkpointing c = cfg.checkpointing();
            int keep = c.checkpointHist();
            if (keep > 0 || c.keeps(epochsDone)) {
                Checkpoint.copy(files.checkpoint(), files.epochCheckpoint(epochsDone));
            }
            if (keep > 0 && !c.keeps(epochsDone - keep)) {
                files.deleteEpochCheckpoint(epochsDone - keep);
            }
            if (report != null) {
                try {
                    report.rewrite(List.of(files.dir()), files.dir().resolve("report.html"));
                } catch (RuntimeException e) {
                    out.println("=> report.html not written: " + e.getMessage());
                }
            }
        }

        /** Writes checkpoint.pth.tar, streaming the tensors from native memory (no Java heap copy). */
        private void save(int epoch, double valAcc1, Optional<Checkpoint.MidEpoch> midEpoch) {
            try (NativeScope scope = NativeScope.open()) {
                new Checkpoint(epoch, cfg.model().arch().id(), StateDict.lazy(net), best, valAcc1, optimizer.stateDict(),
                        schedule.stateDict(epoch, updates), ema == null ? null : ema.stateDict(), seed,
                        cfg.model().depth(), cfg.model().nClasses(), updates, midEpoch,
                        scaler == null ? null : scaler.stateDict()).save(files.checkpoint(), modelCard);
            }
        }

        private EpochResult trainEpoch(int epoch, Optional<Checkpoint.MidEpoch> resumeAt) {
            net.train(true);
            int batches = trainLoader.batchesPerEpoch();
            int accum = cfg.optimization().accumSteps();
            int updatesPerEpoch = (batches + accum - 1) / accum;
            Meter batchTime = new Meter("Time", "%6.3f");
            Meter dataTime = new Meter("Data", "%6.3f");
            Meter losses = new Meter("Loss", "%.4e");
            Meter top1 = new Meter("Acc@1", "%6.2f");
            Meter top5 = new Meter("Acc@5", "%6.2f");
            int start = 0;
            if (resumeAt.isPresent() && resumeAt.get().epoch() == epoch) {
                Checkpoint.MidEpoch m = resumeAt.get();
                start = m.batchesDone();
                losses.restore(m.lossSum(), m.count());
                top1.restore(m.acc1Sum(), m.count());
                top5.restore(m.acc5Sum(), m.count());
            }
            String progressFormat = "Epoch: [%d][%" + Integer.toString(batches).length() + "d/%d]";
            ProgressBar bar = cfg.runtime().progress() && System.console() != null ? new ProgressBarBuilder()
                    .setTaskName("epoch " + epoch).setInitialMax(batches).setStyle(ProgressBarStyle.ASCII)
                    .continuousUpdate().build() : null;
            try (DataLoader.Epoch epochData = trainLoader.epoch(epoch, start);
                 DeviceFeed data = DeviceFeed.of(epochData, device, cfg.runtime().channelsLast())) {
                long end = System.nanoTime();
                for (int i = start; data.hasNext(); i++) {
                    int groupStart = i / accum * accum;
                    int groupSize = Math.min(groupStart + accum, batches) - groupStart;
                    boolean update = i == groupStart + groupSize - 1;
                    int u = i / accum;
                    lastLr = schedule.lr(epoch, u, updatesPerEpoch);
                    optimizer.setLr(lastLr);
                    try (Batch batch = data.next()) {
                        dataTime.update((System.nanoTime() - end) / 1e9, 1);
                        TrainStep.Result r = trainBatch(batch, epoch, i, batches, new TrainStep.Options(mix(seed, epoch, i),
                                groupSize, update, true, tracks(epoch, i, batches)));
                        if (update) {
                            afterUpdate(epoch, u, r, i);
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
                    if (update && i + 1 < batches) {
                        checkpointMidEpoch(epoch, i, batches, losses, top1, top5);
                    }
                }
                if (epochData.skippedSummary() != null) {
                    out.println(epochData.skippedSummary());
                }
            } finally {
                if (bar != null) {
                    bar.close();
                }
            }
            return new EpochResult(losses.average(), top1.average(), top5.average());
        }

        private boolean tracks(int epoch, int i, int batches) {
            int every = cfg.runtime().trackGradnorm();
            return every > 0 && ((long) epoch * batches + i) % every == 0;
        }

        /** One micro-batch, mixed first when batch mixing is on; stops the run on a non-finite loss. */
        private TrainStep.Result trainBatch(Batch batch, int epoch, int i, int batches, TrainStep.Options o) {
            TrainStep.Result r;
            if (mix.isPresent()) {
                try (NativeScope scope = NativeScope.open();
                     BatchMix.Mixed mixed = mix.get().apply(batch.images(), batch.labels(), BatchMix.stream(seed, epoch, i, rank()))) {
                    long[] dominant = mixed.dominantLabels();
                    Tensor hits = Tensors.fromHost(TensorData.ofLongs(new long[] {dominant.length}, dominant));
                    r = step.run(batch.images(), batch.labels(), mixed.targets(), hits, o);
                }
            } else {
                r = step.run(batch.images(), batch.labels(), null, null, o);
            }
            if (o.gradNorms() && r.boundaryNorms() != null && writesFiles()) {
                files.logGradNorm((long) epoch * batches + i, epoch, BlockGradients.ratios(r.boundaryNorms()));
            }
            if (!Double.isFinite(r.loss())) {
                throw new Stopped(String.format(Locale.ROOT,
                        "loss is %s at epoch %d, batch %d; stopped without saving (the last good checkpoint is %s)",
                        r.loss(), epoch, i, Files.exists(files.checkpoint()) ? files.checkpoint() : "none"), 1);
            }
            return r;
        }

        /** After an optimizer update: count it, average the weights, record the clipped norm. */
        private void afterUpdate(int epoch, int u, TrainStep.Result r, int i) {
            updates++;
            if (ema != null && u % cfg.regularization().modelEmaSteps() == 0) {
                ema.update();
                if (epoch < cfg.schedule().warmupEpochs()) {
                    ema.restart(); // torchvision keeps copying the weights during warm-up
                }
            }
            if (!Double.isNaN(r.gradNorm()) && u % cfg.runtime().printFreq() == 0 && writesFiles()) {
                files.logClipNorm(updates, epoch, i, r.gradNorm());
            }
        }

        /** At the end of an update: the --save-every checkpoint, or a stop request's. */
        private void checkpointMidEpoch(int epoch, int i, int batches, Meter losses, Meter top1, Meter top5) {
            int every = cfg.checkpointing().saveEvery();
            boolean periodic = every > 0 && ((long) epoch * batches + i + 1) % every == 0;
            if (!periodic && stopSignal == null) {
                return;
            }
            if (writesFiles()) {
                save(epoch, 0, Optional.of(new Checkpoint.MidEpoch(epoch, i + 1, losses.sum(), top1.sum(), top5.sum(),
                        losses.count())));
            }
            if (stopSignal != null) {
                throw new Stopped("stopped by " + stopSignal + " after batch " + (i + 1) + " of epoch " + epoch
                        + "; resume with --resume " + files.checkpoint(), stopSignal.equals("SIGTERM") ? 143 : 130);
            }
        }

        /**
         * Validates on the whole val set, printing the reference's progress lines and its " * Acc@1"
         * line. Distributed, each rank validates its shard and the sums are all-reduced, so every rank
         * reports the same numbers and each image counts once (shard padding is left out).
         */
        private EpochResult validate(ResidualNetwork model, String label) {
            EpochResult result = Trainer.this.validate(model, valLoader, group, device, label);
            return result;
        }

        /** Fails unless every rank holds bit-identical parameters (a CRC of their bytes, compared by allreduce). */
        private void checkInSync() {
            CRC32 crc = new CRC32();
            try (NativeScope scope = NativeScope.open()) {
                for (Tensor p : optimizer.params()) {
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

        @Override
        public void close() {
            if (trainLoader != null) {
                trainLoader.close();
            }
            valLoader.close();
            if (ema != null) {
                ema.close();
            }
            net.close();
        }
    }

    /** Validates {@code net} on {@code loader}'s whole set; {@code label} prefixes the summary ("EMA "). */
    public EpochResult validate(ResidualNetwork net, DataLoader loader, ProcessGroup group, ComputeDevice device, String label) {
        net.eval();
        int batches = loader.batchesPerEpoch();
        Meter batchTime = new Meter("Time", "%6.3f");
        Meter losses = new Meter("Loss", "%.4e");
        Meter top1 = new Meter("Acc@1", "%6.2f");
        Meter top5 = new Meter("Acc@5", "%6.2f");
        String progressFormat = label + "Test: [%" + Integer.toString(batches).length() + "d/%d]";
        try (DataLoader.Epoch epochData = loader.epoch(0);
             DeviceFeed data = DeviceFeed.of(epochData, device, cfg.runtime().channelsLast())) {
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
            if (epochData.skippedSummary() != null) {
                out.println(epochData.skippedSummary());
            }
        }
        EpochResult result = new EpochResult(losses.average(), top1.average(), top5.average());
        if (group != null) {
            double[] s = group.sum(new double[] {losses.sum(), top1.sum(), top5.sum(), losses.count()});
            result = new EpochResult(s[0] / s[3], s[1] / s[3], s[2] / s[3]);
        }
        out.printf(Locale.ROOT, " * %sAcc@1 %.3f Acc@5 %.3f%n", label, result.acc1(), result.acc5());
        return result;
    }

    private static ImageSource limit(ImageSource source, int samples) {
        return samples > 0 && samples < source.size() ? new Subset(source, samples) : source;
    }

    static long mix(long seed, int epoch, int iteration) {
        long z = seed * 0x9E3779B97F4A7C15L + (epoch + 1) * 0xBF58476D1CE4E5B9L + iteration * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 31)) * 0xD6E8FEB86659FD93L;
        return z ^ (z >>> 32);
    }
}
