package org.leno.internal.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.interop.AtomicFiles;
import org.leno.internal.export.OnnxExport;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ModelWeights;
import org.leno.internal.predict.InferenceSetup;
import org.leno.internal.predict.ModelFile;
import org.leno.internal.model.ResidualNetwork;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(mixinStandardHelpOptions = true, name = "export", modelTransformer = ModelOptions.class,
        description = "Write a trained model for serving: ONNX (opset 17, eval mode, dynamic batch) or safetensors,"
                + " with its class names and validation transform in the file's metadata.")
final class ExportCommand implements Callable<Integer> {
    enum Format { ONNX, SAFETENSORS }

    @Mixin
    ModelFileOptions model = new ModelFileOptions();

    @Option(names = "--format", defaultValue = "onnx", description = "onnx or safetensors (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--out", required = true, description = "The file to write (atomically: a temporary file, then a rename).")
    Path out;

    @Option(names = "--force", description = "Replace --out if it exists.")
    boolean force;

    @Option(names = "--interpolation",
            description = "Validation transform's resize filter: bilinear, bicubic or nearest (default: the card's, else bilinear).")
    Interpolation interpolation;

    @Option(names = "--dynamic-size", description = "ONNX: accept inputs of any height and width, not only the crop size.")
    boolean dynamicSize;

    @Option(names = "--fold-bn", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "ONNX: fold each BatchNorm that follows a convolution into it (default: ${DEFAULT-VALUE}).")
    boolean foldBatchNorm;

    @Override
    public Integer call() throws Exception {
        AtomicFiles.checkTarget(out, force, "--out");
        ModelFile file = model.read();
        InferenceSetup setup = InferenceSetup.of(file, model.overrides());
        ModelConfig config = setup.model();
        ValTransform transform = setup.transform();
        Interpolation filter = interpolation != null ? interpolation : transform.interpolation();
        Map<String, String> metadata = metadata(config, setup.classNames(), transform, filter);
        try (ResidualNetwork net = ModelRegistry.create(config)) {
            ModelWeights.load(net, file.loaded());
            net.eval();
            if (format == Format.ONNX) {
                OnnxExport.write(net, metadata, new OnnxExport.Options(foldBatchNorm, dynamicSize ? 0 : transform.crop()), out);
            } else {
                ModelWeights.saveSafetensors(net, out, metadata);
            }
        }
        System.out.println("wrote " + out + " (" + config.name() + ", " + format.name().toLowerCase()
                + (model.ema ? ", weight average" : "") + ")");
        return 0;
    }

    /** What a server needs besides the weights: the model, its classes and the validation transform. */
    private Map<String, String> metadata(ModelConfig config, List<String> names, ValTransform transform,
                                         Interpolation filter)
            throws JsonProcessingException {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("arch", config.arch().id());
        m.put("depth", Integer.toString(config.depth()));
        m.put("n_classes", Integer.toString(config.nClasses()));
        m.put("weights", model.ema ? "model_ema" : "state_dict");
        if (!names.isEmpty()) {
            m.put("class_names", json.writeValueAsString(names));
        }
        m.put("input", "float32 NCHW RGB, (pixel / 255 - mean) / std");
        m.put("val_resize", Integer.toString(transform.resize()));
        m.put("val_crop_size", Integer.toString(transform.crop()));
        m.put("interpolation", filter.toString());
        m.put("mean", json.writeValueAsString(ValTransform.MEAN));
        m.put("std", json.writeValueAsString(ValTransform.STD));
        m.put("grey_to_rgb", "true");
        return m;
    }
}
