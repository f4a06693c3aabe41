package org.leno.internal.run;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The layout of a run folder ({@code leno train --result_path}): every file's name, and who writes
 * and who reads it. The one owner of these names: train writes through it, and predict, validate,
 * serve, export, gradnorm, report, plot and compare find a run's files through it.
 *
 * @param dir the run folder
 */
public record RunLayout(Path dir) {
    /** The run's flags, keyed as the reference's argparse: train writes; train --config, validate, compare, report read. */
    public static final String ARGS = "args.json";
    /** One line of flags per resume: train appends; report lays them over args.json. */
    public static final String RESUME_ARGS = "resume_args.json";
    /** epoch, loss, acc1, acc5, lr per epoch: train writes (trims on resume); report, plot, compare read. */
    public static final String TRAIN_LOG = "train.log";
    /** epoch, loss, acc1, acc5 per validation: train writes; report, plot, compare read. */
    public static final String VAL_LOG = "val.log";
    /** val.log's columns for the weight average (--model-ema): train writes. */
    public static final String VAL_EMA_LOG = "val_ema.log";
    /** Wall times and images/s per epoch: train writes; report reads. */
    public static final String TIMING = "timing.tsv";
    /** The global gradient norm before clipping (--clip-grad-norm): train writes. */
    public static final String CLIP_NORM = "grad_norm.tsv";
    /** Block gradient norm ratios during training (--track-gradnorm): train writes; report reads. */
    public static final String GRADNORM = "gradnorm.tsv";
    /** The latest resumable checkpoint: train writes and resumes; predict, validate, serve, export, gradnorm read. */
    public static final String CHECKPOINT = "checkpoint.pth.tar";
    /** The checkpoint of the best validation Acc@1: train writes; the model of predict, validate, serve, export. */
    public static final String BEST = "model_best.pth.tar";
    /** Ratio curves of the run's checkpoints: gradnorm (from compare) writes; report reads. */
    public static final String GRADNORM_DIR = "gradnorm";
    /** The run's page: report (and train --report) writes. */
    public static final String REPORT = "report.html";
    /** Evaluation folders eval-SPLIT and eval-SPLIT-FILE: validate writes; report and compare read. */
    public static final String EVAL_PREFIX = "eval-";

    public Path args() { return dir.resolve(ARGS); }

    public Path resumeArgs() { return dir.resolve(RESUME_ARGS); }

    public Path trainLog() { return dir.resolve(TRAIN_LOG); }

    public Path valLog() { return dir.resolve(VAL_LOG); }

    public Path timing() { return dir.resolve(TIMING); }

    public Path gradnorm() { return dir.resolve(GRADNORM); }

    public Path gradnormDir() { return dir.resolve(GRADNORM_DIR); }

    public Path checkpoint() { return dir.resolve(CHECKPOINT); }

    public Path best() { return dir.resolve(BEST); }

    public Path report() { return dir.resolve(REPORT); }

    /** checkpoint_epoch{E}.pth.tar, the history that --checkpoint-hist and --keep-epochs keep: train writes; compare reads. */
    public Path epochCheckpoint(int epoch) {
        return dir.resolve("checkpoint_epoch" + epoch + ".pth.tar");
    }

    /** validate's default folder for a split of the run's own data: eval-SPLIT. */
    public Path evaluation(String split) {
        return dir.resolve(EVAL_PREFIX + split);
    }

    /** The run's model: model_best.pth.tar, else checkpoint.pth.tar; empty when it has neither. */
    public Optional<Path> model() {
        for (Path f : new Path[] {best(), checkpoint()}) {
            if (Files.isRegularFile(f)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
