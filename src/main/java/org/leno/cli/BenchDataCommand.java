package org.leno.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.leno.config.Flags;
import org.leno.data.augment.Augmentation;
import org.leno.data.augment.BatchMix;
import org.leno.data.augment.RandomResizedCrop;
import org.leno.data.augment.TrainTransform;
import org.leno.data.datasets.Datasets;
import org.leno.data.datasets.ImageSource;
import org.leno.data.loader.Batch;
import org.leno.data.loader.DataLoader;
import org.leno.nn.Natives;
import picocli.CommandLine.Command;
import picocli.CommandLine.IModelTransformer;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "data", modelTransformer = BenchDataCommand.AugmentFlags.class, description = "Images/s of the training input pipeline: decode, "
        + "RandomResizedCrop, flip, the augmentation flags (auto-augment, random erasing, mixup/cutmix on the consumer thread), normalise.")
final class BenchDataCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Folder holding train/<class>/<image> (or fashion-mnist; default: the embedded set).")
    String data;

    @Option(names = {"-j", "--workers"}, defaultValue = "2", description = "Loader threads (default: ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = {"-b", "--batch-size"}, defaultValue = "256", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"--train_crop_size", "--train-crop-size"}, defaultValue = "224",
            description = "RandomResizedCrop output size (default: ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--batches", defaultValue = "20", description = "Batches to time after one warm-up batch (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--json", description = "Print one line {\"images_per_s\": ..., \"images\": ...}.")
    boolean json;

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Spec
    CommandSpec spec;

    /** Adds the augmentation flags, which the Augmentation record declares. */
    static final class AugmentFlags implements IModelTransformer {
        @Override
        public CommandSpec transform(CommandSpec commandSpec) {
            Flags.of(Augmentation.class).addTo(commandSpec);
            return commandSpec;
        }
    }

    @Override
    public Integer call() throws Exception {
        Natives.load();
        Augmentation augmentation = Flags.in(spec, Augmentation.class).build();
        ImageSource train = Datasets.open(new Datasets.Spec(data, false, crop, 1000, 0, imageLimit.maxImagePixels()), "train");
        TrainTransform transform = augmentation.trainTransform(crop, RandomResizedCrop.IMAGENET);
        Optional<BatchMix> mix = augmentation.batchMix(train.classes().size());
        try (DataLoader loader = new DataLoader(train, transform, augmentation.trainSampler(train.size(), 0, 0, 1),
                new DataLoader.Config(batchSize, workers, false, 0, false))) {
            long images = 0;
            long start = 0;
            int done = 0;
            int epoch = 0;
            while (done <= batches) {
                try (DataLoader.Epoch e = loader.epoch(epoch++)) {
                    while (e.hasNext() && done <= batches) {
                        try (Batch b = e.next()) {
                            if (mix.isPresent()) {
                                mix.get().apply(b.images(), b.labels(), BatchMix.stream(0, epoch, done, 0)).close();
                            }
                            if (done == 0) {
                                start = System.nanoTime();
                            } else {
                                images += b.size();
                            }
                            done++;
                        }
                    }
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            double rate = images / seconds;
            if (json) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("images_per_s", rate);
                out.put("images", images);
                System.out.println(new ObjectMapper().writeValueAsString(out));
            } else {
                System.out.printf("%.1f images/s (%d images in %.2f s, %d workers, batch %d, crop %d, %s)%n", rate,
                        images, seconds, workers, batchSize, crop, augmentation.describe());
            }
        }
        return 0;
    }
}
