package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYSeries;
import org.leno.internal.analysis.Charts;
import org.leno.internal.testing.Cli;
import org.leno.internal.testing.Fixtures;

class PlotCommandTest {

    @Test
    void lossAndAccuracyHaveTheirOwnPanelsAndAxes() {
        double[] epochs = {1, 2, 3};
        Charts.Curves c = Charts.curves(epochs, new double[] {2.1, 1.2, 0.9}, new double[] {1.9, 1.1, 1.0},
                new double[] {30, 55, 70}, new double[] {35, 60, 72}, epochs);
        assertThat(c.loss().getSeriesMap().keySet()).containsExactly("train loss", "val loss");
        assertThat(c.accuracy().getSeriesMap().keySet()).containsExactly("train Acc@1", "val Acc@1");
        assertThat(c.loss().getStyler().getYAxisMax()).isNull();
        assertThat(c.accuracy().getStyler().getYAxisMin()).isEqualTo(0.0);
        assertThat(c.accuracy().getStyler().getYAxisMax()).isEqualTo(100.0);
        assertThat(c.loss().getYAxisTitle()).isEqualTo("loss");
        assertThat(c.accuracy().getYAxisTitle()).isEqualTo("Acc@1 (%)");
        assertThat(c.loss().getSeriesMap().get("val loss").getYData()).containsExactly(1.9, 1.1, 1.0);
        assertThat(c.panels()).containsExactly(c.loss(), c.accuracy());
    }

    @Test
    void curvesPngStacksTheTwoPanelsFromTheLogs(@TempDir Path dir) throws Exception {
        Path run = Fixtures.path("runs/lenoresnet50");
        for (String f : List.of("train.log", "val.log")) {
            Files.copy(run.resolve(f), dir.resolve(f));
        }
        Cli.Result r = Cli.run("plot", dir.toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        BufferedImage png = ImageIO.read(dir.resolve("curves.png").toFile());
        assertThat(png.getWidth()).isEqualTo(Charts.WIDTH);
        assertThat(png.getHeight()).isEqualTo(2 * Charts.HEIGHT);
        assertThat(dir.resolve("gradnorm_evolution.png")).doesNotExist();
        // the panels as plot builds them from these logs: val loss values on the loss panel only
        List<String> val = Files.readAllLines(dir.resolve("val.log"));
        double[] epochs = val.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split("\t")[0])).toArray();
        double[] loss = val.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split("\t")[1])).toArray();
        double[] acc = val.stream().skip(1).mapToDouble(l -> Double.parseDouble(l.split("\t")[2])).toArray();
        Charts.Curves c = Charts.curves(new double[0], new double[0], loss, new double[0], acc, epochs);
        XYChart lossPanel = c.loss();
        XYSeries s = lossPanel.getSeriesMap().get("val loss");
        assertThat(s.getYData()).containsExactly(loss);
        assertThat(c.accuracy().getSeriesMap().get("val Acc@1").getYData()).containsExactly(acc);
    }
}
