package org.leno.internal.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.opencv.opencv_core.Mat;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.data.datasets.ImageFolder;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.interop.TensorData;
import org.leno.internal.nn.Natives;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes our validation tensors of a folder's first images, to compare with torchvision's (scripts/compare_val_transform.py). */
@Command(mixinStandardHelpOptions = true, name = "val-transform", description = "Write validation-transform tensors of the "
        + "first images of ROOT/train to a safetensors file: pil/<file> with Pillow's resampling (the default), opencv/<file> "
        + "with OpenCV's (INTER_AREA when shrinking).")
final class BenchValTransformCommand implements Callable<Integer> {
    @Option(names = "--data", required = true, description = "Folder holding train/<class>/<image>.")
    Path data;

    @Option(names = "--out", required = true, description = "Output .safetensors file.")
    Path out;

    @Option(names = "--limit", defaultValue = "50", description = "Number of images (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = {"--val_resize", "--val-resize"}, defaultValue = "256")
    int resize;

    @Option(names = {"--val_crop_size", "--val-crop-size"}, defaultValue = "224")
    int crop;

    @Option(names = "--interpolation", defaultValue = "bilinear", description = "bilinear, bicubic or nearest (default: ${DEFAULT-VALUE}).")
    Interpolation interpolation;

    @Override
    public Integer call() {
        Natives.load();
        ImageFolder folder = ImageFolder.scan(data.resolve("train"));
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        int n = Math.min(limit, folder.size());
        for (int i = 0; i < n; i++) {
            try (Mat rgb = folder.rgb(i)) {
                for (Resampler resampler : Resampler.values()) {
                    float[] t = new ValTransform(resize, crop, resampler, interpolation).apply(rgb);
                    tensors.put(resampler + "/" + folder.describe(i), TensorData.ofFloats(new long[] {3, crop, crop}, t));
                }
            }
        }
        SafeTensors.write(out, tensors, Map.of());
        System.out.println("wrote " + n + " images' tensors to " + out);
        return 0;
    }
}
