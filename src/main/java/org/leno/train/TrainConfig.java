package org.leno.train;

import java.nio.file.Path;
import java.util.Map;
import org.leno.config.Flag;
import org.leno.config.FlagGroup;
import org.leno.data.Augmentation;
import org.leno.distributed.DistConfig;
import org.leno.distributed.GradientSync;
import org.leno.model.ModelConfig;

/**
 * Everything `leno train` is told, by concern. Each record component is a flag: its names, help,
 * and its defaults (the reference's, and the quick start's where it differs) are declared on it, and
 * args.json is written from these records (config.Flags), so a new flag is one component here.
 */
public record TrainConfig(ModelConfig model, Data data, Augmentation augmentation, Optimization optimization,
                          Schedule schedule, Checkpointing checkpointing, Runtime runtime, Distributed distributed,
                          ReferenceOnly referenceOnly) {

    public TrainConfig {
        if (checkpointing.evaluate() && checkpointing.resume() == null) {
            throw new IllegalArgumentException("--evaluate needs --resume CHECKPOINT");
        }
        if (runtime.gpu() != null && distributed.enabled() && !distributed.nccl()) {
            throw new IllegalArgumentException("--gpu " + runtime.gpu() + " with distributed training needs "
                    + "--dist-backend nccl (one CUDA device per process); gloo trains on CPUs");
        }
        if (runtime.amp() == Amp.FP16 && runtime.gpu() == null && !distributed.nccl()) {
            throw new IllegalArgumentException("--amp fp16 needs a CUDA device (--gpu N): fp16 autocast with loss "
                    + "scaling is the GPU recipe; on the CPU use --amp bf16");
        }
        if (data.data() != null && data.dummy()) {
            throw new IllegalArgumentException("--data and --dummy exclude each other");
        }
        if (augmentation.mixupAlpha() > 0 || augmentation.cutmixAlpha() > 0) {
            throw new IllegalArgumentException("--mixup-alpha and --cutmix-alpha work in leno bench data; "
                    + "leno train does not apply them yet");
        }
    }

    /** The quick start: training on the embedded data, with the quick-start defaults. */
    public boolean quickStart() {
        return data.embedded();
    }

    /**
     * This process's CUDA device, -1 for the CPU: --gpu N, or with the nccl backend under env://
     * the LOCAL_RANK that torchrun sets (--multiprocessing-distributed passes each worker its
     * local rank as --gpu). nccl without either is a one-line error.
     */
    public int cudaDevice(Map<String, String> env) {
        if (runtime.gpu() != null) {
            return runtime.gpu();
        }
        if (!distributed.nccl() || !distributed.enabled(env)) {
            return -1;
        }
        String local = env.get("LOCAL_RANK");
        if (distributed.distUrl().equals("env://") && local != null && local.matches("\\d+")) {
            return Integer.parseInt(local);
        }
        throw new IllegalArgumentException("--dist-backend nccl needs one CUDA device per process: --gpu N, "
                + "--multiprocessing-distributed (device = local rank), or LOCAL_RANK with --dist-url env://");
    }

    /** Rank 0 (or the only process) writes args.json, logs and checkpoints. */
    public boolean writesFiles(DistConfig dist) {
        return dist == null || dist.rank() == 0;
    }

    /** What the data comes from, and how much of it. */
    @FlagGroup(heading = "Data")
    public record Data(
            @Flag(names = "--data", paramLabel = "DIR",
                    description = "Folder with train/ and val/ (ImageFolder layout), or 'fashion-mnist' for the full "
                            + "Fashion-MNIST. Without it: the embedded Fashion-MNIST subset, with the quick start's defaults.")
            String data,
            @Flag(names = "--dummy", value = "false", description = "Synthetic images and labels of the configured size.")
            boolean dummy,
            @Flag(names = {"-b", "--batch-size", "--batch_size"}, value = "256", quickStart = "64",
                    description = "Mini-batch size over all processes of a node.")
            int batchSize,
            @Flag(names = {"-j", "--workers"}, value = "4", quickStart = "1", description = "Data loading threads.")
            int workers,
            @Flag(names = {"--train_crop_size", "--train-crop-size"}, value = "224", quickStart = "28",
                    description = "RandomResizedCrop size.")
            int trainCropSize,
            @Flag(names = {"--crop-scale", "--crop_scale"}, value = "0.08,1", quickStart = "0.6,1", arity = "2",
                    paramLabel = "MIN MAX", description = "Area range of RandomResizedCrop.")
            double[] cropScale,
            @Flag(names = {"--val_resize", "--val-resize"}, value = "256", quickStart = "28",
                    description = "Validation resize of the shorter side.")
            int valResize,
            @Flag(names = {"--val_crop_size", "--val-crop-size"}, value = "224", quickStart = "28",
                    description = "Validation centre crop.")
            int valCropSize,
            @Flag(names = {"--strict-data", "--strict_data"}, value = "false",
                    description = "Stop at the first unreadable image instead of skipping it.")
            boolean strictData,
            @Flag(names = {"--train-samples", "--train_samples"}, value = "0",
                    description = "Use only this many training images, stratified by class (0: all).")
            int trainSamples,
            @Flag(names = {"--val-samples", "--val_samples"}, value = "0",
                    description = "Use only this many validation images, stratified by class (0: all).")
            int valSamples,
            @Flag(names = {"--max-image-pixels", "--max_image_pixels"}, value = "89478485", paramLabel = "N",
                    description = "Refuse image files whose header claims more pixels (PIL's Image.MAX_IMAGE_PIXELS).")
            long maxImagePixels) {

        public Data {
            cropScale = cropScale.clone();
            if (batchSize < 1) {
                throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
            }
            if (workers < 0) {
                throw new IllegalArgumentException("--workers must not be negative, got " + workers);
            }
            if (trainSamples < 0 || valSamples < 0) {
                throw new IllegalArgumentException("--train-samples and --val-samples must not be negative");
            }
            if (maxImagePixels < 1) {
                throw new IllegalArgumentException("--max-image-pixels must be positive, got " + maxImagePixels);
            }
        }

        @Override
        public double[] cropScale() { return cropScale.clone(); }

        public boolean embedded() { return data == null && !dummy; }
    }

    /** The optimizer and what it is applied to. */
    @FlagGroup(heading = "Optimizer")
    public record Optimization(
            @Flag(names = {"--lr", "--learning-rate"}, value = "0.1", quickStart = "0.01",
                    description = "Initial learning rate.")
            double lr,
            @Flag(names = "--momentum", value = "0.9", description = "SGD momentum.")
            double momentum,
            @Flag(names = {"--weight-decay", "--wd", "--weight_decay"}, value = "1e-4", quickStart = "5e-5",
                    description = "Weight decay.")
            double weightDecay,
            @Flag(names = "--nesterov", value = "false", description = "Nesterov momentum.")
            boolean nesterov) {

        public Optimization {
            if (!(lr > 0)) {
                throw new IllegalArgumentException("--lr must be positive, got " + lr);
            }
            if (nesterov && momentum <= 0) {
                throw new IllegalArgumentException("--nesterov needs a positive --momentum");
            }
        }
    }

    /** How many epochs, and the learning rate over them. */
    @FlagGroup(heading = "Learning-rate schedule")
    public record Schedule(
            @Flag(names = "--epochs", value = "90", quickStart = "10", description = "Total epochs to run.")
            int epochs,
            @Flag(names = {"--start-epoch", "--start_epoch"}, value = "0",
                    description = "Manual epoch number (useful on restarts).")
            int startEpoch,
            @Flag(names = {"--lr_scheduler", "--lr-scheduler"}, value = "multistep", paramLabel = "NAME",
                    description = "multistep (the reference's MultiStepLR; PyTorch's class name is accepted).")
            LrSchedulerKind scheduler,
            @Flag(names = {"--lr_steps", "--lr-steps"}, value = "30,60,80", quickStart = "6,9", arity = "1..*",
                    description = "Epochs at which multistep decays the rate.")
            int[] lrSteps,
            @Flag(names = {"--lr_reduce_factor", "--lr-reduce-factor"}, value = "0.1",
                    description = "Multistep's decay factor.")
            double lrReduceFactor,
            @Flag(names = {"--lr-schedule-compat", "--lr_schedule_compat"}, value = "false",
                    description = "Decay one epoch early, as the reference does (it steps its scheduler at the start of each epoch).")
            boolean compat) {

        public Schedule {
            lrSteps = lrSteps.clone();
            if (epochs < 0) {
                throw new IllegalArgumentException("--epochs must not be negative, got " + epochs);
            }
            if (startEpoch < 0) {
                throw new IllegalArgumentException("--start-epoch must not be negative, got " + startEpoch);
            }
        }

        @Override
        public int[] lrSteps() { return lrSteps.clone(); }
    }

    /** Where results go, and what a run starts from. */
    @FlagGroup(heading = "Checkpoints and results")
    public record Checkpointing(
            @Flag(names = {"--result_path", "--result-path"}, value = "results", paramLabel = "DIR",
                    description = "Where args.json, train.log, val.log and checkpoints go.")
            Path resultPath,
            @Flag(names = "--resume", paramLabel = "PATH",
                    description = "Checkpoint to resume from (ours or the reference's).")
            Path resume,
            @Flag(names = {"-e", "--evaluate"}, value = "false", description = "Validate the --resume model on the val set and stop.")
            boolean evaluate) {
    }

    /** How the computation runs. */
    @FlagGroup(heading = "Runtime")
    public record Runtime(
            @Flag(names = "--seed", description = "Seed for initialisation, shuffling and augmentation (default: random, "
                    + "recorded in args.json and checkpoints).")
            Long seed,
            @Flag(names = "--threads", value = "0", description = "Intra-op threads (0: all cores).")
            int threads,
            @Flag(names = "--gpu", paramLabel = "N", description = "CUDA device to use (needs the GPU natives).")
            Integer gpu,
            @Flag(names = "--amp", value = "none", description = "Mixed precision: none, bf16 (CPU/GPU autocast), or fp16 "
                    + "(CUDA autocast with PyTorch's dynamic loss scaler; needs --gpu).")
            Amp amp,
            @Flag(names = {"--channels-last", "--channels_last"}, value = "true",
                    description = "Channels-last (NHWC) weights and batches, faster with oneDNN (NCHW when off).")
            boolean channelsLast,
            @Flag(names = {"-p", "--print-freq", "--print_freq"}, value = "10", quickStart = "20",
                    description = "Print every N batches.")
            int printFreq,
            @Flag(names = {"--progress"}, value = "true", recorded = false,
                    description = "A progress bar when stdout is a terminal.")
            boolean progress,
            @Flag(names = {"--track-gradnorm", "--track_gradnorm"}, value = "0", paramLabel = "N",
                    description = "Every N iterations, record each block's gradient norm ratio to gradnorm.tsv (0: off).")
            int trackGradnorm) {

        public Runtime {
            if (printFreq < 1) {
                throw new IllegalArgumentException("--print-freq must be at least 1, got " + printFreq);
            }
            if (gpu != null && gpu < 0) {
                throw new IllegalArgumentException("--gpu must be a device index (0, 1, ...), got " + gpu);
            }
            if (trackGradnorm < 0) {
                throw new IllegalArgumentException("--track-gradnorm must not be negative, got " + trackGradnorm);
            }
        }
    }

    /** The reference's distributed flags and ours. */
    @FlagGroup(heading = "Distributed")
    public record Distributed(
            @Flag(names = {"--world-size", "--world_size"}, value = "-1",
                    description = "Number of nodes (processes, without --multiprocessing-distributed).")
            int worldSize,
            @Flag(names = "--rank", value = "-1", description = "Node rank.")
            int rank,
            @Flag(names = {"--dist-url", "--dist_url"}, value = "tcp://224.66.41.62:23456",
                    description = "Rendezvous: tcp://HOST:PORT or env:// (MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK).")
            String distUrl,
            @Flag(names = {"--dist-backend", "--dist_backend"}, value = "gloo",
                    description = "gloo (CPU) or nccl (the GPU build, one CUDA device per process).")
            String backend,
            @Flag(names = {"--dist-timeout", "--dist_timeout"}, value = "1800", paramLabel = "SECONDS",
                    description = "How long the rendezvous and each collective may wait for a peer.")
            int timeout,
            @Flag(names = "--ddp", value = "reducer", paramLabel = "reducer|coalesced",
                    description = "Gradient averaging: the native DDP reducer (buckets overlapped with backward) or one "
                            + "coalesced allreduce after backward.")
            GradientSync.Mode ddp,
            @Flag(names = {"--ddp-comm", "--ddp_comm"}, value = "none", paramLabel = "none|fp16|bf16",
                    description = "Compress the DDP reducer's gradient buckets to this type for the allreduce and back "
                            + "(DDP's fp16_compress_hook / bf16_compress_hook); none sends fp32.")
            GradientSync.Compression ddpComm,
            @Flag(names = {"--sync-bn", "--sync_bn"}, value = "false",
                    description = "SyncBatchNorm: batch statistics over all processes (per-channel counts, means and "
                            + "variances all-reduced, forward and backward), as torch.nn.SyncBatchNorm.")
            boolean syncBn,
            @Flag(names = {"--multiprocessing-distributed", "--multiprocessing_distributed"}, value = "false",
                    description = "Start --nproc-per-node worker processes on this node, multiply --world-size by it and "
                            + "divide --batch-size, --workers and --threads among them; stop all when one fails.")
            boolean multiprocessingDistributed,
            @Flag(names = {"--nproc-per-node", "--nproc_per_node"}, value = "1",
                    description = "Worker processes per node with --multiprocessing-distributed.")
            int nprocPerNode,
            @Flag(names = "--spawned-worker", value = "false", hidden = true, recorded = false,
                    description = "Set by --multiprocessing-distributed in its workers.")
            boolean spawnedWorker) {

        public Distributed {
            if (nprocPerNode < 1) {
                throw new IllegalArgumentException("--nproc-per-node must be at least 1, got " + nprocPerNode);
            }
        }

        /** Whether gradients and the model's tensors go through NCCL. */
        public boolean nccl() {
            return backend.equals("nccl");
        }

        /** Whether this process is one of several (from the flags, or from WORLD_SIZE under env://). */
        public boolean enabled() {
            return enabled(System.getenv());
        }

        boolean enabled(Map<String, String> env) {
            if (worldSize > 1) {
                return true;
            }
            String world = env.get("WORLD_SIZE");
            return distUrl.equals("env://") && world != null && world.matches("\\d+") && Integer.parseInt(world) > 1;
        }

        /** The rendezvous of this process, or null when it trains alone. */
        public DistConfig resolve(Map<String, String> env) {
            if (!enabled(env)) {
                if (rank > 0) {
                    throw new IllegalArgumentException("--rank " + rank + " needs --world-size greater than 1");
                }
                return null;
            }
            return DistConfig.of(distUrl, worldSize, rank, backend, timeout, env);
        }
    }

    /** Flags of the reference's main.py that have no effect here. */
    @FlagGroup(heading = "Reference flags without effect")
    public record ReferenceOnly(
            @Flag(names = "--groups", paramLabel = "N",
                    description = "Parsed and unused, as in the reference (its models ignore it).")
            Integer groups,
            @Flag(names = "--pretrained", value = "false",
                    description = "The reference's torchvision download; not available here: use --weights FILE.")
            boolean pretrained) {

        public ReferenceOnly {
            if (pretrained) {
                throw new IllegalArgumentException("--pretrained: leno downloads nothing; start from a file with "
                        + "--weights FILE (a torchvision resnet50 state dict fits -a resnet --model_depth 50)");
            }
        }
    }
}
