// A model to serve without training: a randomly initialised network of ours with a model card, as a
// safetensors file (the form Classifier.save writes), for scripts/serve_load.py and serve_hostile.py.
// Usage: java -cp "target/leno.jar:target/lib/*" scripts/MakeServeModel.java ARCH DEPTH CLASSES RESIZE CROP OUT.safetensors
// e.g.   ... resnet 50 1000 256 224 /tmp/resnet50.safetensors   (the ResNet-50 at 224 of docs/inference.md)
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.leno.internal.data.augment.ValTransform;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.model.ModelCard;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.nn.StateDict;
import org.leno.internal.predict.ModelFile;

public final class MakeServeModel {
    public static void main(String[] args) {
        Natives.unpack();
        ModelConfig config = ModelConfig.of(ModelRegistry.arch(args[0]), Integer.parseInt(args[1]), Integer.parseInt(args[2]));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < config.nClasses(); i++) {
            names.add("class " + i);
        }
        ModelCard card = new ModelCard(config, names, new ModelCard.Preprocessing(Integer.parseInt(args[3]),
                Integer.parseInt(args[4]), "pil", "bilinear", doubles(ValTransform.MEAN), doubles(ValTransform.STD),
                ModelCard.GREY_REPLICATE));
        try (ResidualNetwork net = ModelRegistry.create(config); NativeScope scope = NativeScope.open()) {
            net.eval();
            SafeTensors.write(Path.of(args[5]), StateDict.lazy(net), ModelFile.safetensorsMetadata(card));
        }
        System.out.println("wrote " + args[5] + ": " + config.name() + ", " + config.nClasses() + " classes, "
                + args[3] + "/" + args[4]);
    }

    static List<Double> doubles(float[] values) {
        List<Double> out = new ArrayList<>();
        for (float v : values) {
            out.add(Double.parseDouble(Float.toString(v)));
        }
        return out;
    }
}
