package org.leno.internal.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.leno.internal.data.augment.Augmentation;
import org.leno.internal.data.augment.BatchMix;
import org.leno.internal.data.augment.RandomResizedCrop;
import org.leno.internal.data.augment.TrainTransform;
import org.leno.internal.data.datasets.Datasets;
import org.leno.internal.data.datasets.ImageSource;
import org.leno.internal.data.loader.Batch;
import org.leno.internal.data.loader.DataLoader;
import org.leno.internal.nn.Natives;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(mixinStandardHelpOptions = true, name = "data", modelTransformer = AugmentOptions.class, description = "Images/s of the training input pipeline: decode, "
        + "RandomResizedCrop, flip, the augmentation flags (auto-augment, random erasing, mixup/cutmix on the consumer thread), normalise.")
final class BenchDataCommand implements Callable<Integer> {
    @Option(names = "--data", description = "Folder holding train/<class>/<image> (or fashion-mnist; default: the embedded set).")
    String data;

    @Mixin
    WorkersOption loaders = new WorkersOption(2);

    @Mixin
    BatchSizeOption batch = new BatchSizeOption(256);

    @Option(names = {"--train_crop_size", "--train-crop-size"}, defaultValue = "224",
            description = "RandomResizedCrop output size (default: ${DEFAULT-VALUE}).")
    int crop;

    @Option(names = "--batches", defaultValue = "20", description = "Batches to time after one warm-up batch (default: ${DEFAULT-VALUE}).")
    int batches;

    @Mixin
    JsonOption json = new JsonOption();

    @Mixin
    ImageLimitOptions imageLimit = new ImageLimitOptions();

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Natives.load();
        Augmentation augmentation = AugmentOptions.augmentation(spec);
        ImageSource train = Datasets.open(new Datasets.Spec(data, false, crop, 1000, 0, imageLimit.maxImagePixels()), "train");
        TrainTransform transform = augmentation.trainTransform(crop, RandomResizedCrop.IMAGENET);
        Optional<BatchMix> mix = augmentation.batchMix(train.classes().size());
        try (DataLoader loader = new DataLoader(train, transform, augmentation.trainSampler(train.size(), 0, 0, 1),
                new DataLoader.Config(batch.batchSize, loaders.workers, false, 0, false))) {
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
            if (json.enabled()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("images_per_s", rate);
                out.put("images", images);
                JsonOption.print(out);
            } else {
                System.out.printf("%.1f images/s (%d images in %.2f s, %d workers, batch %d, crop %d, %s)%n", rate,
                        images, seconds, loaders.workers, batch.batchSize, crop, augmentation.describe());
            }
        }
        return 0;
    }
}
