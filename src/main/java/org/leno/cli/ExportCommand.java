package org.leno.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.leno.data.decode.Interpolation;
import org.leno.data.augment.ValTransform;
import org.leno.interop.AtomicFiles;
import org.leno.interop.onnx.OnnxExport;
import org.leno.model.ModelConfig;
import org.leno.model.ModelRegistry;
import org.leno.model.ModelWeights;
import org.leno.model.ResidualNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "export", modelTransformer = ModelOptions.class,
        description = "Write a trained model for serving: ONNX (opset 17, eval mode, dynamic batch) or safetensors,"
                + " with its class names and validation transform in the file's metadata.")
final class ExportCommand implements Callable<Integer> {
    enum Format { ONNX, SAFETENSORS }

    @Spec
    CommandSpec spec;

    @Option(names = "--weights", required = true,
            description = "State dict or checkpoint: torch.save file (ours or PyTorch's) or .safetensors.")
    Path weights;

    @Option(names = "--ema", description = "Export the checkpoint's weight average (model_ema, from train --model-ema).")
    boolean ema;

    @Option(names = "--format", defaultValue = "onnx", description = "onnx or safetensors (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--out", required = true, description = "The file to write (atomically: a temporary file, then a rename).")
    Path out;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Option(names = {"--class-names", "--class_names"},
            description = "Text file with one class name per line, in class-index order.")
    Path classNames;

    @Option(names = {"--val_resize", "--val-resize"}, defaultValue = "256",
            description = "Validation transform, for the metadata: shorter side resized to this (default: ${DEFAULT-VALUE}).")
    int valResize;

    @Option(names = {"--val_crop_size", "--val-crop-size"}, defaultValue = "224",
            description = "Validation transform: centre crop, and the ONNX input's height and width (default: ${DEFAULT-VALUE}).")
    int valCrop;

    @Option(names = "--interpolation", defaultValue = "bilinear",
            description = "Validation transform's resize filter: bilinear, bicubic or nearest (default: ${DEFAULT-VALUE}).")
    Interpolation interpolation;

    @Option(names = "--dynamic-size", description = "ONNX: accept inputs of any height and width, not only the crop size.")
    boolean dynamicSize;

    @Option(names = "--fold-bn", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "ONNX: fold each BatchNorm that follows a convolution into it (default: ${DEFAULT-VALUE}).")
    boolean foldBatchNorm;

    @Override
    public Integer call() throws Exception {
        ModelConfig config = ModelOptions.config(spec);
        AtomicFiles.checkTarget(out, force, "--out");
        List<String> names = classNames == null ? List.of() : PredictCommand.readClassNames(classNames);
        ValTransform transform = ValTransform.of(valResize, valCrop); // checks the sizes
        Map<String, String> metadata = metadata(config, names, transform);
        try (ResidualNetwork net = ModelRegistry.create(config)) {
            ModelWeights.load(net, weights, ema);
            net.eval();
            if (format == Format.ONNX) {
                OnnxExport.write(net, metadata, new OnnxExport.Options(foldBatchNorm, dynamicSize ? 0 : valCrop), out);
            } else {
                ModelWeights.saveSafetensors(net, out, metadata);
            }
        }
        System.out.println("wrote " + out + " (" + config.name() + ", " + format.name().toLowerCase()
                + (ema ? ", weight average" : "") + ")");
        return 0;
    }

    /** What a server needs besides the weights: the model, its classes and the validation transform. */
    private Map<String, String> metadata(ModelConfig config, List<String> names, ValTransform transform)
            throws JsonProcessingException {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("arch", config.arch().id());
        m.put("depth", Integer.toString(config.depth()));
        m.put("n_classes", Integer.toString(config.nClasses()));
        m.put("weights", ema ? "model_ema" : "state_dict");
        if (!names.isEmpty()) {
            m.put("class_names", json.writeValueAsString(names));
        }
        m.put("input", "float32 NCHW RGB, (pixel / 255 - mean) / std");
        m.put("val_resize", Integer.toString(transform.resize()));
        m.put("val_crop_size", Integer.toString(transform.crop()));
        m.put("interpolation", interpolation.toString());
        m.put("mean", json.writeValueAsString(ValTransform.MEAN));
        m.put("std", json.writeValueAsString(ValTransform.STD));
        m.put("grey_to_rgb", "true");
        return m;
    }
}
