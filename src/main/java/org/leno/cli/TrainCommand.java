package org.leno.cli;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.train.TrainConfig;
import org.leno.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "train", sortOptions = false,
        description = {"Train (or with -e evaluate) a model: the reference's ImageNet training program, fixed.",
                "Without --data: LeNo-ResNet-50 on the embedded Fashion-MNIST subset, quick-start settings.",
                "With --data DIR (DIR/train/<class>/..., DIR/val/<class>/...) or --data fashion-mnist: the reference's defaults."})
final class TrainCommand implements Callable<Integer> {

    /** Settings for the embedded 28x28 Fashion-MNIST subset; see the README for why. */
    static final class QuickStart {
        static final int EPOCHS = 10;
        static final int BATCH = 64;
        static final double LR = 0.01;
        static final double WEIGHT_DECAY = 5e-5;
        static final int[] LR_STEPS = {6, 9};
        static final int CROP = 28;
        static final double CROP_SCALE_MIN = 0.6;
        static final int WORKERS = 1;
        static final int PRINT_FREQ = 20;
    }

    @Option(names = "--data", paramLabel = "DIR", description = "Folder with train/ and val/ (ImageFolder layout), or "
            + "'fashion-mnist' for the full Fashion-MNIST. Default: the embedded Fashion-MNIST subset (quick start).")
    String data;

    @Option(names = "--dummy", description = "Synthetic images and labels of the configured size.")
    boolean dummy;

    @Option(names = {"--result_path", "--result-path"}, defaultValue = "results", paramLabel = "DIR",
            description = "Where args.json, train.log, val.log and checkpoints go (default: ${DEFAULT-VALUE}).")
    Path resultPath;

    @Option(names = {"-a", "--arch"}, description = "resnet, preactresnet or lenoresnet (default: lenoresnet).")
    String arch = "lenoresnet";

    @Option(names = {"--model_depth", "--model-depth"}, description = "Depth (default: 50).")
    int depth = 50;

    @Option(names = {"--n_classes", "--n-classes"}, description = "Classes (default: 1000; 10 for Fashion-MNIST).")
    Integer nClasses;

    @Option(names = {"-j", "--workers"}, description = "Data loading threads (default: 4; quick start 1).")
    Integer workers;

    @Option(names = "--epochs", description = "Total epochs to run (default: 90; quick start 10).")
    Integer epochs;

    @Option(names = {"--start-epoch", "--start_epoch"}, defaultValue = "0",
            description = "Manual epoch number, useful on restarts (default: ${DEFAULT-VALUE}).")
    int startEpoch;

    @Option(names = {"-b", "--batch-size", "--batch_size"}, description = "Mini-batch size over all processes of a node (default: 256; quick start 64).")
    Integer batchSize;

    @Option(names = {"--lr", "--learning-rate"}, description = "Initial learning rate (default: 0.1; quick start 0.01).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = {"--wd", "--weight-decay", "--weight_decay"}, description = "Weight decay (default: 1e-4; quick start 5e-5).")
    Double weightDecay;

    @Option(names = {"-p", "--print-freq", "--print_freq"}, description = "Print every N batches (default: 10; quick start 20).")
    Integer printFreq;

    @Option(names = "--resume", paramLabel = "PATH", description = "Checkpoint to resume from (ours or the reference's).")
    Path resume;

    @Option(names = {"-e", "--evaluate"}, description = "Validate the --resume model on the val set and stop.")
    boolean evaluate;

    @Option(names = {"--world-size", "--world_size"}, defaultValue = "-1", description = "Number of nodes for distributed training.")
    int worldSize;

    @Option(names = "--rank", defaultValue = "-1", description = "Node rank for distributed training.")
    int rank;

    @Option(names = {"--dist-url", "--dist_url"}, defaultValue = "tcp://224.66.41.62:23456",
            description = "URL of the rendezvous (tcp://HOST:PORT or env://).")
    String distUrl;

    @Option(names = {"--dist-backend", "--dist_backend"}, defaultValue = "gloo",
            description = "gloo (CPU) or nccl (needs the GPU natives) (default: ${DEFAULT-VALUE}).")
    String distBackend;

    @Option(names = "--ddp", defaultValue = "REDUCER", paramLabel = "reducer|coalesced",
            converter = DdpModeConverter.class,
            description = "Gradient averaging: the native DDP reducer (buckets overlapped with backward) or one "
                    + "coalesced allreduce after backward (default: reducer).")
    org.leno.distributed.GradientSync.Mode ddp;

    static final class DdpModeConverter implements picocli.CommandLine.ITypeConverter<org.leno.distributed.GradientSync.Mode> {
        @Override
        public org.leno.distributed.GradientSync.Mode convert(String value) {
            return org.leno.distributed.GradientSync.Mode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
        }
    }

    @Option(names = {"--dist-timeout", "--dist_timeout"}, defaultValue = "1800", paramLabel = "SECONDS",
            description = "How long the rendezvous and each collective may wait for a peer (default: ${DEFAULT-VALUE}).")
    int distTimeout;

    @Option(names = "--seed", description = "Seed for initialisation, shuffling and augmentation (default: random, recorded in args.json and checkpoints).")
    Long seed;

    @Option(names = "--gpu", description = "CUDA device to use (needs the GPU natives).")
    Integer gpu;

    @Option(names = {"--multiprocessing-distributed", "--multiprocessing_distributed"},
            description = "Start --nproc-per-node worker processes on this node, multiply --world-size by it and divide"
                    + " --batch-size, --workers and --threads among them; stop all when one fails.")
    boolean multiprocessingDistributed;

    @Option(names = {"--nproc-per-node", "--nproc_per_node"}, defaultValue = "1",
            description = "Worker processes per node with --multiprocessing-distributed (default: ${DEFAULT-VALUE} on CPU).")
    int nprocPerNode;

    @Option(names = "--spawned-worker", hidden = true, description = "Set by --multiprocessing-distributed in its workers.")
    boolean spawnedWorker;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = {"--lr_scheduler", "--lr-scheduler"}, defaultValue = "MultiStepLR", description = "Only MultiStepLR.")
    String lrScheduler;

    @Option(names = {"--lr_steps", "--lr-steps"}, arity = "1..*", description = "Epochs at which the rate decays (default: 30 60 80; quick start 6 9).")
    int[] lrSteps;

    @Option(names = {"--lr_reduce_factor", "--lr-reduce-factor"}, defaultValue = "0.1", description = "Decay factor (default: ${DEFAULT-VALUE}).")
    double lrReduceFactor;

    @Option(names = {"--lr-schedule-compat", "--lr_schedule_compat"},
            description = "Decay one epoch early, as the reference does (it steps its scheduler at the start of each epoch).")
    boolean lrScheduleCompat;

    @Option(names = "--nesterov", description = "Nesterov momentum.")
    boolean nesterov;

    @Option(names = {"--zero_init_residual", "--zero-init-residual"}, description = "Start each residual branch at zero.")
    boolean zeroInitResidual;

    @Option(names = "--dropout", defaultValue = "0", description = "Dropout probability before the classifier (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = {"--train_crop_size", "--train-crop-size"}, description = "RandomResizedCrop size (default: 224; quick start 28).")
    Integer trainCrop;

    @Option(names = {"--crop-scale", "--crop_scale"}, arity = "2", paramLabel = "MIN MAX",
            description = "Area range of RandomResizedCrop (default: 0.08 1; quick start 0.6 1).")
    double[] cropScale;

    @Option(names = {"--val_resize", "--val-resize"}, description = "Validation resize of the shorter side (default: 256; quick start 28).")
    Integer valResize;

    @Option(names = {"--val_crop_size", "--val-crop-size"}, description = "Validation centre crop (default: 224; quick start 28).")
    Integer valCrop;

    @Option(names = "--threads", defaultValue = "0", description = "Intra-op threads (default: all cores).")
    int threads;

    @Option(names = {"--strict-data", "--strict_data"}, description = "Stop at the first unreadable image instead of skipping it.")
    boolean strictData;

    @Option(names = "--amp", defaultValue = "none", description = "Mixed precision: none or bf16 (autocast) (default: ${DEFAULT-VALUE}).")
    String amp;

    @Option(names = {"--channels-last", "--channels_last"}, negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Channels-last (NHWC) weights and batches, faster with oneDNN (default: on; --no-channels-last for NCHW).")
    boolean channelsLast;

    @Option(names = "--no-progress", description = "No progress bar, even on a terminal.")
    boolean noProgress;

    @Option(names = {"--train-samples", "--train_samples"}, defaultValue = "0",
            description = "Use only this many training images, spread evenly over the set (default: all).")
    int trainSamples;

    @Option(names = {"--track-gradnorm", "--track_gradnorm"}, defaultValue = "0", paramLabel = "N",
            description = "Every N iterations, record each block's gradient norm ratio to gradnorm.tsv (default: off).")
    int trackGradnorm;

    @Option(names = {"--val-samples", "--val_samples"}, defaultValue = "0",
            description = "Use only this many validation images, spread evenly over the set (default: all).")
    int valSamples;

    @Override
    public Integer call() throws Exception {
        if (multiprocessingDistributed && !spawnedWorker) {
            return new WorkerLauncher(nprocPerNode, worldSize, rank, batchSize, workers, threads,
                    spec.commandLine().getParseResult().originalArgs()).run();
        }
        TrainConfig cfg = config();
        Trainer trainer = new Trainer(cfg, argsJson(cfg), System.out);
        sun.misc.SignalHandler previousInt = handle("INT", trainer);
        sun.misc.SignalHandler previousTerm = handle("TERM", trainer);
        try {
            if (cfg.evaluate()) {
                System.out.println("=> evaluating " + cfg.model().name() + " on " + describeData());
            } else {
                System.out.println("=> training " + cfg.model().name() + " on " + describeData());
                System.out.printf("   epochs %d, batch %d, lr %s (x%s at epochs %s), momentum %s, weight decay %s, crop %d "
                                + "(area %s-%s), val %d/%d, workers %d, seed %d, results in %s%n", cfg.epochs(), cfg.batchSize(),
                        cfg.lr(), cfg.lrReduceFactor(), Arrays.toString(cfg.lrSteps()), cfg.momentum(), cfg.weightDecay(),
                        cfg.trainCropSize(), cfg.cropScaleMin(), cfg.cropScaleMax(), cfg.valResize(), cfg.valCropSize(),
                        cfg.workers(), cfg.seed(), cfg.resultPath());
            }
            return trainer.run();
        } catch (Trainer.Stopped s) {
            System.err.println("leno train: " + s.getMessage());
            return s.exitCode();
        } finally {
            restore("INT", previousInt);
            restore("TERM", previousTerm);
        }
    }

    private static void restore(String signal, sun.misc.SignalHandler previous) {
        if (previous != null) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), previous);
        }
    }

    private String describeData() {
        if (dummy) {
            return "synthetic data (--dummy)";
        }
        if (data == null) {
            return "the embedded Fashion-MNIST subset (6,000 train / 1,000 val images, 10 classes, 28x28 grey)";
        }
        return data;
    }

    private static sun.misc.SignalHandler handle(String signal, Trainer trainer) {
        try {
            return sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> {
                System.err.println("leno train: SIG" + signal + " received; finishing the current step...");
                trainer.requestStop("SIG" + signal);
            });
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    TrainConfig config() {
        org.leno.distributed.DistConfig dist = null;
        boolean envRendezvous = distUrl.equals("env://");
        if (worldSize > 1 || (envRendezvous && System.getenv("WORLD_SIZE") != null
                && Integer.parseInt(System.getenv("WORLD_SIZE")) > 1)) {
            dist = org.leno.distributed.DistConfig.of(distUrl, worldSize, rank, distBackend, distTimeout, System.getenv());
        } else if (rank > 0) {
            throw new IllegalArgumentException("--rank " + rank + " needs --world-size greater than 1");
        }
        if (gpu != null) {
            if (gpu < 0) {
                throw new IllegalArgumentException("--gpu must be a device index (0, 1, ...), got " + gpu);
            }
            org.leno.nn.ComputeDevice.cuda(gpu); // a one-line error now, before any file is written
        }
        if (!lrScheduler.equals("MultiStepLR")) {
            throw new IllegalArgumentException("--lr_scheduler " + lrScheduler + ": only MultiStepLR is supported");
        }
        boolean quick = data == null && !dummy;
        if (data != null && dummy) {
            throw new IllegalArgumentException("--data and --dummy exclude each other");
        }
        int classes = nClasses != null ? nClasses
                : (quick || org.leno.data.Datasets.FASHION_MNIST.equals(data) ? 10 : 1000);
        ModelConfig model = new ModelConfig(ModelRegistry.arch(arch), depth, classes, zeroInitResidual, dropout);
        ModelRegistry.blocksPerStage(model.arch(), model.depth());
        long s = seed != null ? seed : new java.security.SecureRandom().nextLong() >>> 16;
        double[] scale = cropScale != null ? cropScale : new double[] {quick ? QuickStart.CROP_SCALE_MIN : 0.08, 1.0};
        return new TrainConfig(model, data, dummy, resultPath,
                or(workers, quick ? QuickStart.WORKERS : 4),
                or(epochs, quick ? QuickStart.EPOCHS : 90),
                startEpoch,
                or(batchSize, quick ? QuickStart.BATCH : 256),
                lr != null ? lr : (quick ? QuickStart.LR : 0.1),
                momentum,
                weightDecay != null ? weightDecay : (quick ? QuickStart.WEIGHT_DECAY : 1e-4),
                or(printFreq, quick ? QuickStart.PRINT_FREQ : 10),
                resume, evaluate, s, threads, gpu == null ? -1 : gpu,
                lrSteps != null ? lrSteps : (quick ? QuickStart.LR_STEPS : new int[] {30, 60, 80}),
                lrReduceFactor, lrScheduleCompat, nesterov,
                or(trainCrop, quick ? QuickStart.CROP : 224), scale[0], scale[1],
                or(valResize, quick ? QuickStart.CROP : 256),
                or(valCrop, quick ? QuickStart.CROP : 224),
                strictData, amp, channelsLast, !noProgress && System.console() != null, trainSamples, valSamples,
                trackGradnorm, dist, ddp);
    }

    private static int or(Integer value, int fallback) {
        return value != null ? value : fallback;
    }

    /** The reference's args.json keys (argparse dest names) with the values in force, plus ours. */
    private Map<String, Object> argsJson(TrainConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("data", c.data());
        m.put("result_path", c.resultPath().toString());
        m.put("arch", c.model().arch().id());
        m.put("model_depth", c.model().depth());
        m.put("workers", c.workers());
        m.put("epochs", c.epochs());
        m.put("start_epoch", c.startEpoch());
        m.put("batch_size", c.batchSize());
        m.put("lr", c.lr());
        m.put("momentum", c.momentum());
        m.put("weight_decay", c.weightDecay());
        m.put("print_freq", c.printFreq());
        m.put("resume", c.resume() == null ? "" : c.resume().toString());
        m.put("evaluate", c.evaluate());
        m.put("world_size", worldSize);
        m.put("rank", rank);
        m.put("dist_url", distUrl);
        m.put("dist_backend", distBackend);
        m.put("seed", c.seed());
        m.put("gpu", gpu);
        m.put("multiprocessing_distributed", multiprocessingDistributed);
        m.put("n_classes", c.model().nClasses());
        m.put("lr_scheduler", lrScheduler);
        m.put("lr_steps", c.lrSteps());
        m.put("lr_reduce_factor", c.lrReduceFactor());
        m.put("nesterov", c.nesterov());
        m.put("zero_init_residual", c.model().zeroInitResidual());
        m.put("train_crop_size", c.trainCropSize());
        m.put("val_resize", c.valResize());
        m.put("val_crop_size", c.valCropSize());
        m.put("dummy", c.dummy());
        m.put("lr_schedule_compat", c.lrScheduleCompat());
        m.put("crop_scale", new double[] {c.cropScaleMin(), c.cropScaleMax()});
        m.put("dropout", c.model().dropout());
        m.put("threads", c.threads());
        m.put("strict_data", c.strictData());
        m.put("amp", c.amp());
        m.put("channels_last", c.channelsLast());
        m.put("train_samples", c.trainSamples());
        m.put("val_samples", c.valSamples());
        m.put("track_gradnorm", c.trackGradnorm());
        m.put("dist_timeout", distTimeout);
        m.put("ddp", ddp.name().toLowerCase(java.util.Locale.ROOT));
        return m;
    }
}
