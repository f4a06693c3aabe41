package org.leno.internal.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.predict.Overrides;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * A trained model to use (`leno predict`, `leno export`): the weights file or run folder, and what
 * may override its model card: the model flags (the command's {@link ModelOptions}), the validation
 * transform and the class names.
 */
final class ModelFileOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    @Option(names = "--weights", required = true, paramLabel = "RUN_DIR|FILE",
            description = "A leno train results folder (its model_best.pth.tar, else checkpoint.pth.tar), a checkpoint, "
                    + "a state dict (torch.save, ours or PyTorch's) or .safetensors. Our checkpoints' model card gives the "
                    + "model, class names and transform; flags given win over it.")
    Path weights;

    @Option(names = "--ema", description = "Use the checkpoint's weight average (model_ema, from train --model-ema).")
    boolean ema;

    @Option(names = {"--val_resize", "--val-resize"},
            description = "Validation transform: shorter side resized to this (default: the model card's, else 256).")
    Integer valResize;

    @Option(names = {"--val_crop_size", "--val-crop-size"},
            description = "Validation transform: centre crop size, for export also the ONNX input's height and width "
                    + "(default: the model card's, else 224).")
    Integer valCrop;

    @Option(names = {"--class-names", "--class_names"},
            description = "Text file with one class name per line, in class-index order (default: the model card's).")
    Path classNames;

    ModelFile read() {
        return ModelFile.read(weights, ema);
    }

    /** The model flags given on the command line (not their defaults), the transform flags and --class-names. */
    Overrides overrides() throws IOException {
        ParseResult given = command.commandLine().getParseResult();
        ModelConfig flags = ModelOptions.config(command);
        Optional<Arch> arch = given.hasMatchedOption("--arch") ? Optional.of(flags.arch()) : Optional.empty();
        OptionalInt depth = given.hasMatchedOption("--model_depth") ? OptionalInt.of(flags.depth()) : OptionalInt.empty();
        OptionalInt classes = given.hasMatchedOption("--n_classes") ? OptionalInt.of(flags.nClasses()) : OptionalInt.empty();
        Optional<List<String>> names = classNames == null ? Optional.empty() : Optional.of(readClassNames(classNames));
        return new Overrides(arch, depth, classes, valResize == null ? OptionalInt.empty() : OptionalInt.of(valResize),
                valCrop == null ? OptionalInt.empty() : OptionalInt.of(valCrop), names);
    }

    private static List<String> readClassNames(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--class-names " + file + ": no such file");
        }
        return Files.readAllLines(file).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
