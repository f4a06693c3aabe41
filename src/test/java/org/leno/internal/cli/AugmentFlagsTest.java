package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.config.Flags;
import org.leno.internal.data.augment.AugMix;
import org.leno.internal.data.augment.AugmentPolicy;
import org.leno.internal.data.augment.Augmentation;
import org.leno.internal.data.augment.AutoAugment;
import org.leno.internal.data.augment.EraseValue;
import org.leno.internal.data.augment.RandAugment;
import org.leno.internal.data.datasets.TestImages;
import org.leno.internal.data.decode.Interpolation;
import org.leno.internal.data.decode.Resampler;
import org.leno.internal.testing.Cli;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;

/** The augmentation flags, as the Augmentation record declares them. */
class AugmentFlagsTest {
    @Command(name = "t")
    static final class Holder {
    }

    private static Augmentation parse(String... args) {
        CommandSpec spec = CommandSpec.forAnnotatedObject(new Holder());
        Flags<Augmentation> flags = Flags.of(Augmentation.class);
        flags.addTo(spec);
        new CommandLine(spec).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return flags.build();
    }

    @Test
    void defaultsAreThePlainRecipeAndFlagsTakeKebabOrSnakeCaseAndAnyCaseOfValues() {
        assertThat(parse()).isEqualTo(Augmentation.NONE);
        Augmentation a = parse("--auto_augment", "TA_WIDE", "--interpolation", "Bicubic", "--random-erase", "0.1",
                "--random_erase_value", "random", "--mixup_alpha", "0.2", "--cutmix-alpha", "1.0", "--ra_sampler",
                "--ra-reps", "4", "--ra_magnitude", "12", "--augmix-severity", "5");
        assertThat(a).isEqualTo(new Augmentation(AugmentPolicy.TA_WIDE, 12, 5, 0.1, EraseValue.RANDOM, 0.2, 1.0,
                Interpolation.BICUBIC, Resampler.PIL, true, 4));
        assertThat(parse("--resampler", "OpenCV").resampler()).isEqualTo(Resampler.OPENCV);
        assertThat(parse("--auto-augment", "ra").policy()).isInstanceOf(RandAugment.class);
        assertThat(parse("--auto-augment", "svhn").policy()).isInstanceOf(AutoAugment.class);
        assertThat(parse("--auto-augment", "augmix").policy()).isInstanceOf(AugMix.class);
    }

    private static Path folder(Path root) throws IOException {
        for (int c = 0; c < 2; c++) {
            for (int i = 0; i < 6; i++) {
                TestImages.writeImage(root.resolve("train/c" + c + "/i" + i + ".png"), 50, 40, c * 10 + i);
            }
        }
        return root;
    }

    @Test
    void benchDataRunsWithTheAugmentationFlags(@TempDir Path root) throws IOException {
        String data = folder(root).toString();
        Cli.Result r = Cli.run("bench", "data", "--data", data, "-b", "4", "--batches", "2", "-j", "2", "--train-crop-size", "32",
                "--auto-augment", "TA_WIDE", "--random-erase", "0.1", "--mixup-alpha", "0.2", "--cutmix-alpha", "1.0",
                "--interpolation", "bicubic");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("images/s").contains("auto-augment ta_wide, random erase 0.1, mixup 0.2, cutmix 1.0, bicubic (pil)");
        Cli.Result aug = Cli.run("bench", "data", "--data", data, "-b", "4", "--batches", "1", "-j", "1", "--train-crop-size", "32",
                "--auto-augment", "augmix", "--json");
        assertThat(aug.exitCode()).as(aug.err()).isZero();
        assertThat(aug.out()).startsWith("{\"images_per_s\":");
    }

    @Test
    void badValuesAreOneLineErrorsNamingTheFlag(@TempDir Path root) throws IOException {
        String data = folder(root).toString();
        Cli.Result magnitude = Cli.run("bench", "data", "--data", data, "--ra-magnitude", "31", "--auto-augment", "ra");
        assertThat(magnitude.exitCode()).isEqualTo(1);
        assertThat(magnitude.err().strip()).isEqualTo("leno data: error: --ra-magnitude must be in 0..30 (31 bins), got 31");
        Cli.Result policy = Cli.run("bench", "data", "--data", data, "--auto-augment", "autoaug");
        assertThat(policy.exitCode()).isEqualTo(2);
        assertThat(policy.err().strip()).contains("--auto-augment").containsIgnoringCase("ta_wide").doesNotContain("\n");
        Cli.Result sampler = Cli.run("bench", "data", "--data", data, "--ra-sampler");
        assertThat(sampler.exitCode()).isEqualTo(1);
        assertThat(sampler.err().strip()).startsWith("leno data: error: --ra-sampler keeps").doesNotContain("\n");
        Cli.Result erase = Cli.run("bench", "data", "--data", data, "--random-erase", "2");
        assertThat(erase.err().strip()).isEqualTo("leno data: error: --random-erase must be a probability in [0, 1], got 2.0");
    }
}
