package org.leno.internal.analysis;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.leno.internal.model.Arch;
import org.leno.internal.model.ModelConfig;
import org.leno.internal.model.ModelRegistry;
import org.leno.internal.model.ResidualBlock;
import org.leno.internal.model.ResidualNetwork;
import org.leno.internal.nn.NativeScope;
import org.leno.internal.nn.Natives;
import org.leno.internal.testing.Cli;

class GradNormTest {

    static GradNormResult analyse(ModelConfig c, boolean evalMode) {
        Natives.seed(1);
        try (ResidualNetwork net = ModelRegistry.create(c)) {
            return GradNormAnalysis.run(net, GradNormAnalysis.randomInputs(4, 32, c.nClasses()), 1, evalMode);
        }
    }

    @Test
    void aZeroResidualBranchOnAPureIdentitySkipHasRatioExactlyOne() {
        GradNormResult preact = analyse(new ModelConfig(Arch.PREACTRESNET, 50, 10, true, 0), false);
        GradNormResult leno = analyse(new ModelConfig(Arch.LENORESNET, 50, 10, true, 0), false);
        for (int i = 0; i < preact.blocks(); i++) {
            if (!preact.transitions().contains(i + 1)) {
                // pre-act identity block: y = x + conv3(relu(bn3(.))) with bn3.weight = 0, so dL/dx = dL/dy
                assertThat(preact.ratio(i)).as("pre-act block %d", i + 1).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
        int[] stages = leno.blocksPerStage();
        int start = 0;
        for (int s : stages) {
            for (int k = 2; k < s - 1; k++) {
                // LeNo middle block: y = x + conv3(...) with conv3 = 0, a pure identity
                assertThat(leno.ratio(start + k)).as("LeNo block %d", start + k + 1).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
            }
            start += s;
        }
        // ResNet's skip passes the block's final ReLU: zeroed units can only lower the norm
        GradNormResult resnet = analyse(new ModelConfig(Arch.RESNET, 50, 10, true, 0), false);
        for (int i = 0; i < resnet.blocks(); i++) {
            if (!resnet.transitions().contains(i + 1)) {
                assertThat(resnet.ratio(i)).isLessThanOrEqualTo(1.0 + 1e-6);
            }
        }
    }

    @Test
    void aHandBuiltScaledIdentityHasTheAnalyticRatio() {
        // LeNo end block with zero conv3 in eval mode at init: y = relu(bn3(x)) = relu(x / sqrt(1 + eps)), so for
        // a positive input dL/dx = dL/dy / sqrt(1 + eps) and the ratio is exactly 1 / sqrt(1 + eps)
        Natives.seed(3);
        try (ResidualNetwork net = ModelRegistry.create(new ModelConfig(Arch.LENORESNET, 50, 10, true, 0));
             NativeScope s = NativeScope.open()) {
            net.eval();
            ResidualBlock end = net.blocks().get(2);
            Tensor x = torch.add(torch.rand(2, 256, 4, 4), new org.bytedeco.pytorch.Scalar(0.5)).requires_grad_(true);
            Tensor y = end.forward(x);
            y.retain_grad();
            Tensor loss = torch.mul(y, torch.randn(2, 256, 4, 4)).sum();
            loss.backward();
            double ratio = x.grad().norm().item_double() / y.grad().norm().item_double();
            assertThat(ratio).isCloseTo(1 / Math.sqrt(1 + 1e-5), org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void oneRowPerBlockTransitionsAsTheReferenceAndNormsChain(@TempDir Path dir) throws Exception {
        GradNormResult r = analyse(ModelConfig.of(Arch.LENORESNET, 101, 10), false);
        assertThat(r.blocks()).isEqualTo(33);
        assertThat(r.transitions()).containsExactly(1, 4, 8, 31);
        for (int i = 0; i + 1 < r.blocks(); i++) {
            assertThat(r.outNorm()[i]).isEqualTo(r.inNorm()[i + 1]);
        }
        Path csv = dir.resolve("x.csv");
        r.writeCsv(csv);
        List<String> lines = Files.readAllLines(csv);
        assertThat(lines.get(0)).isEqualTo("block,stage,transition,in_norm,out_norm,ratio");
        assertThat(lines).hasSize(34);
        assertThat(lines.get(4)).startsWith("4,2,1,");
        assertThat(lines.get(5)).startsWith("5,2,0,");
        assertThat(lines.get(33)).startsWith("33,4,0,");
    }

    @Test
    void theCommandWritesCsvsAndFiguresWithOneSeriesPerArch(@TempDir Path dir) throws Exception {
        Cli.Result r = Cli.run("gradnorm", "-a", "resnet,lenoresnet", "--model_depth", "50", "-b", "2", "--image-size", "32",
                "--n_classes", "10", "--out", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("transition block   1 (stage 1): ratio").contains("other 12 blocks: median");
        for (String name : new String[] {"resnet50", "lenoresnet50", "gradnorm"}) {
            BufferedImage png = ImageIO.read(dir.resolve(name + ".png").toFile());
            assertThat(png.getWidth()).isEqualTo(Charts.WIDTH);
            assertThat(png.getHeight()).isEqualTo(Charts.HEIGHT);
            assertThat(Files.readString(dir.resolve(name + ".svg"))).contains("<svg");
        }
        assertThat(Files.readAllLines(dir.resolve("lenoresnet50.csv"))).hasSize(17);
        GradNormResult one = analyse(ModelConfig.of(Arch.RESNET, 50, 10), false);
        assertThat(Charts.gradNorm(List.of(one), "ResNet").getSeriesMap()).hasSize(1);
        assertThat(Charts.gradNorm(List.of(one, analyse(ModelConfig.of(Arch.LENORESNET, 50, 10), false)), "t")
                .getSeriesMap()).hasSize(2);
    }
}
