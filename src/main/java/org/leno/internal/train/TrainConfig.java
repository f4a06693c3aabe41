package org.leno.internal.train;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.leno.internal.config.Flag;
import org.leno.internal.config.FlagGroup;
import org.leno.internal.data.augment.Augmentation;
import org.leno.internal.data.decode.ImageDecoder;
import org.leno.internal.distributed.DistConfig;
import org.leno.internal.distributed.DistributedFlags;
import org.leno.internal.model.ModelConfig;

/**
 * Everything `leno train` is told, by concern. Each record component is a flag: its names, help,
 * and its defaults (the reference's, and the quick start's where it differs) are declared on it, and
 * args.json is written from these records (config.Flags), so a new flag is one component here.
 */
public record TrainConfig(ModelConfig model, Data data, Augmentation augmentation, Optimization optimization,
                          Schedule schedule, Regularization regularization, Checkpointing checkpointing, Runtime runtime,
                          DistributedFlags distributed, ReferenceOnly referenceOnly) {

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
        return runtime.gpu() != null ? runtime.gpu() : distributed.localCudaDevice(env);
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
            @Flag(names = {"--max-image-pixels", "--max_image_pixels"}, value = "" + ImageDecoder.DEFAULT_MAX_PIXELS, paramLabel = "N",
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
            @Flag(names = "--optimizer", value = "sgd", description = "{choices}.")
            OptimizerKind optimizer,
            @Flag(names = {"--lr", "--learning-rate"}, value = "0.1", quickStart = "0.01",
                    description = "Initial learning rate (the rate reached after warm-up).")
            double lr,
            @Flag(names = "--momentum", value = "0.9", description = "SGD momentum.")
            double momentum,
            @Flag(names = {"--weight-decay", "--wd", "--weight_decay"}, value = "1e-4", quickStart = "5e-5",
                    description = "Weight decay (decoupled for adamw).")
            double weightDecay,
            @Flag(names = "--nesterov", value = "false", description = "Nesterov momentum.")
            boolean nesterov,
            @Flag(names = {"--adam-betas", "--adam_betas"}, value = "0.9,0.999", arity = "2", paramLabel = "B1 B2",
                    description = "AdamW's betas.")
            double[] adamBetas,
            @Flag(names = {"--adam-eps", "--adam_eps"}, value = "1e-8", description = "AdamW's eps.")
            double adamEps,
            @Flag(names = {"--norm-weight-decay", "--norm_weight_decay"},
                    description = "Weight decay of BatchNorm weights and biases, a parameter group of their own as "
                            + "torchvision's (default: as --weight-decay).")
            Double normWeightDecay,
            @Flag(names = {"--bias-weight-decay", "--bias_weight_decay"},
                    description = "Weight decay of every parameter named bias, a group of their own as torchvision's "
                            + "(default: as its layer's).")
            Double biasWeightDecay,
            @Flag(names = {"--clip-grad-norm", "--clip_grad_norm"}, value = "0",
                    description = "Clip the global gradient norm to this, as clip_grad_norm_ (0: off); the norm before "
                            + "clipping is written to grad_norm.tsv every --print-freq batches.")
            double clipGradNorm,
            @Flag(names = {"--accum-steps", "--accum_steps"}, value = "1",
                    description = "One optimizer update per K batches, each batch's loss divided by K (an update on K x "
                            + "--batch-size images, BatchNorm aside).")
            int accumSteps) implements OptimizerKind.Flags {

        public Optimization {
            adamBetas = adamBetas.clone();
            if (!(lr > 0)) {
                throw new IllegalArgumentException("--lr must be positive, got " + lr);
            }
            if (nesterov && momentum <= 0) {
                throw new IllegalArgumentException("--nesterov needs a positive --momentum");
            }
            if (nesterov && optimizer != OptimizerKind.SGD) {
                throw new IllegalArgumentException("--nesterov is an SGD option; --optimizer is " + optimizer);
            }
            if (clipGradNorm < 0) {
                throw new IllegalArgumentException("--clip-grad-norm must not be negative, got " + clipGradNorm);
            }
            if (accumSteps < 1) {
                throw new IllegalArgumentException("--accum-steps must be at least 1, got " + accumSteps);
            }
        }

        @Override
        public double[] adamBetas() { return adamBetas.clone(); }
    }

    /** What keeps training from fitting too closely, besides augmentation. */
    @FlagGroup(heading = "Regularisation")
    public record Regularization(
            @Flag(names = {"--label-smoothing", "--label_smoothing"}, value = "0",
                    description = "CrossEntropyLoss(label_smoothing=): this share of each target spread over all classes.")
            double labelSmoothing,
            @Flag(names = {"--model-ema", "--model_ema"}, value = "false",
                    description = "Keep an exponential moving average of the weights (and buffers), validated every "
                            + "epoch into val_ema.log and saved as model_ema, as torchvision's.")
            boolean modelEma,
            @Flag(names = {"--model-ema-steps", "--model_ema_steps"}, value = "32",
                    description = "Update the average every N batches.")
            int modelEmaSteps,
            @Flag(names = {"--model-ema-decay", "--model_ema_decay"}, value = "0.99998",
                    description = "Its decay, adjusted by world size x batch x steps / epochs as torchvision's.")
            double modelEmaDecay) {

        public Regularization {
            if (!(labelSmoothing >= 0 && labelSmoothing < 1)) {
                throw new IllegalArgumentException("--label-smoothing must be in [0, 1), got " + labelSmoothing);
            }
            if (modelEmaSteps < 1) {
                throw new IllegalArgumentException("--model-ema-steps must be at least 1, got " + modelEmaSteps);
            }
            if (!(modelEmaDecay > 0 && modelEmaDecay < 1)) {
                throw new IllegalArgumentException("--model-ema-decay must be in (0, 1), got " + modelEmaDecay);
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
                    description = "{choices}; PyTorch's class names are accepted.")
            LrSchedulerKind scheduler,
            @Flag(names = {"--lr_steps", "--lr-steps"}, value = "30,60,80", quickStart = "6,9", arity = "1..*",
                    description = "Epochs at which multistep decays the rate (counted from the end of warm-up).")
            int[] lrSteps,
            @Flag(names = {"--lr_reduce_factor", "--lr-reduce-factor"}, value = "0.1",
                    description = "Multistep's decay factor.")
            double lrReduceFactor,
            @Flag(names = {"--lr-step-size", "--lr_step_size"}, value = "30", description = "Step's period in epochs.")
            int lrStepSize,
            @Flag(names = {"--lr-gamma", "--lr_gamma"}, value = "0.1",
                    description = "Step's decay factor, and exponential's per epoch.")
            double lrGamma,
            @Flag(names = {"--lr-min", "--lr_min"}, value = "0", description = "Cosine's final rate (eta_min).")
            double lrMin,
            @Flag(names = {"--lr-warmup-epochs", "--lr_warmup_epochs"}, value = "0",
                    description = "Epochs of warm-up before the main schedule (0: none).")
            int warmupEpochs,
            @Flag(names = {"--lr-warmup-method", "--lr_warmup_method"}, value = "constant",
                    description = "linear (LinearLR from the decay factor up to the rate) or constant (ConstantLR at it), "
                            + "as torchvision's.")
            WarmupMethod warmupMethod,
            @Flag(names = {"--lr-warmup-decay", "--lr_warmup_decay"}, value = "0.01",
                    description = "The warm-up's starting factor of the rate.")
            double warmupDecay,
            @Flag(names = {"--sched-on-updates", "--sched_on_updates"}, value = "false",
                    description = "Change the rate after every optimizer update rather than every epoch, as timm does "
                            + "(epoch counts become update counts).")
            boolean onUpdates,
            @Flag(names = {"--lr-schedule-compat", "--lr_schedule_compat"}, value = "false",
                    description = "Decay one epoch early, as the reference does (it steps its scheduler at the start of each epoch).")
            boolean compat) implements LrSchedulerKind.Flags {

        public Schedule {
            lrSteps = lrSteps.clone();
            if (epochs < 0) {
                throw new IllegalArgumentException("--epochs must not be negative, got " + epochs);
            }
            if (startEpoch < 0) {
                throw new IllegalArgumentException("--start-epoch must not be negative, got " + startEpoch);
            }
            if (lrStepSize < 1) {
                throw new IllegalArgumentException("--lr-step-size must be at least 1, got " + lrStepSize);
            }
            if (!(lrGamma > 0) || !(lrReduceFactor > 0)) {
                throw new IllegalArgumentException("--lr-gamma and --lr_reduce_factor must be positive");
            }
            if (lrMin < 0) {
                throw new IllegalArgumentException("--lr-min must not be negative, got " + lrMin);
            }
            if (warmupEpochs < 0) {
                throw new IllegalArgumentException("--lr-warmup-epochs must not be negative, got " + warmupEpochs);
            }
            if (!(warmupDecay > 0 && warmupDecay <= 1)) {
                throw new IllegalArgumentException("--lr-warmup-decay must be in (0, 1], got " + warmupDecay);
            }
            if (scheduler == LrSchedulerKind.COSINE && warmupEpochs >= epochs && epochs > 0) {
                throw new IllegalArgumentException("--lr-scheduler cosine needs --epochs above --lr-warmup-epochs");
            }
            if (compat && (onUpdates || warmupEpochs > 0 || scheduler != LrSchedulerKind.MULTISTEP)) {
                throw new IllegalArgumentException("--lr-schedule-compat reproduces the reference's MultiStepLR only "
                        + "(no warm-up, no --sched-on-updates)");
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
            @Flag(names = "--resume", paramLabel = "PATH|auto",
                    description = "Checkpoint to resume from (ours or the reference's); auto: --result_path's "
                            + "checkpoint.pth.tar if there is one, else a fresh start (for restarted jobs).")
            Path resume,
            @Flag(names = {"-e", "--evaluate"}, value = "false", description = "Validate the --resume model on the val set and stop.")
            boolean evaluate,
            @Flag(names = "--weights", paramLabel = "FILE",
                    description = "Start from these weights (state dict, checkpoint or safetensors) at epoch 0 with a fresh "
                            + "optimizer; a classifier of another class count is re-initialised.")
            Path weights,
            @Flag(names = {"--save-every", "--save_every"}, value = "0", paramLabel = "N",
                    description = "Also write the resumable checkpoint.pth.tar every N iterations (0: only after each epoch).")
            int saveEvery,
            @Flag(names = {"--checkpoint-hist", "--checkpoint_hist"}, value = "0", paramLabel = "K",
                    description = "Keep checkpoint_epoch<E>.pth.tar of the last K epochs.")
            int checkpointHist,
            @Flag(names = {"--keep-epochs", "--keep_epochs"}, value = "0", paramLabel = "E", arity = "1..*",
                    description = "Also keep checkpoint_epoch<E>.pth.tar of these epochs, whatever --checkpoint-hist "
                            + "removes (0: none).")
            int[] keepEpochs,
            @Flag(names = "--report", value = "false",
                    description = "Rewrite report.html in --result_path after every epoch (leno report of this run).")
            boolean report) {

        /** Whether checkpoint_epoch{@code epochsDone}.pth.tar is kept for good. */
        public boolean keeps(int epochsDone) {
            return Arrays.stream(keepEpochs).anyMatch(e -> e == epochsDone);
        }

        @Override
        public int[] keepEpochs() { return keepEpochs.clone(); }

        /** The value of --resume that means "this run's own checkpoint, if there is one". */
        public static final Path AUTO = Path.of("auto");

        public Checkpointing {
            keepEpochs = keepEpochs == null ? new int[0] : keepEpochs.clone();
            if (saveEvery < 0 || checkpointHist < 0) {
                throw new IllegalArgumentException("--save-every and --checkpoint-hist must not be negative");
            }
            if (weights != null && resume != null && !resume.equals(AUTO)) {
                throw new IllegalArgumentException("--weights starts a new run, --resume continues one: give one of them");
            }
        }
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
