package org.leno.internal.analysis;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The figures: gradient norm ratios per block in the paper's style, training curves, ratio heat maps. */
public final class Charts {
    public static final int WIDTH = 900;
    public static final int HEIGHT = 500;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Charts() {
    }

    /** One series per result: ratio per residual block on a log axis from 0.1 to 10. */
    public static XYChart gradNorm(List<GradNormResult> results, String title) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("residual block").yAxisTitle("gradient norm ratio").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.1);
        chart.getStyler().setYAxisMax(10.0);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendVisible(results.size() > 1);
        for (GradNormResult r : results) {
            double[] x = new double[r.blocks()];
            double[] y = new double[r.blocks()];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
                y[i] = Math.min(10.0, Math.max(0.1, r.ratio(i)));
            }
            XYSeries s = chart.addSeries(results.size() > 1 ? r.model().arch().displayName() + "-" + r.model().depth()
                    : r.model().arch().displayName(), x, y);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        }
        return chart;
    }

    /**
     * Ratio per block of one model at several checkpoints, in epoch order from light to dark, on the
     * paper's log axis from 0.1 to 10, with the transition blocks as vertical lines.
     */
    public static XYChart checkpointEvolution(List<CheckpointRatios> inEpochOrder, String title) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("residual block (vertical lines: transition blocks)").yAxisTitle("gradient norm ratio").build();
        chart.getStyler().setYAxisLogarithmic(true);
        chart.getStyler().setYAxisMin(0.1);
        chart.getStyler().setYAxisMax(10.0);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setAnnotationLineColor(new Color(150, 150, 150));
        int n = inEpochOrder.size();
        for (int k = 0; k < n; k++) {
            GradNormResult r = inEpochOrder.get(k).result();
            double[] x = new double[r.blocks()];
            double[] y = new double[r.blocks()];
            for (int i = 0; i < x.length; i++) {
                x[i] = i + 1;
                y[i] = Math.min(10.0, Math.max(0.1, r.ratio(i)));
            }
            XYSeries s = chart.addSeries(inEpochOrder.get(k).legend(), x, y);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineColor(ramp(n == 1 ? 1.0 : (double) k / (n - 1)));
            s.setMarkerColor(ramp(n == 1 ? 1.0 : (double) k / (n - 1)));
        }
        if (n > 0) {
            for (int t : inEpochOrder.get(0).result().transitions()) {
                chart.addAnnotation(new AnnotationLine(t, true, false));
            }
        }
        return chart;
    }

    /** From light orange (0, early) to dark blue (1, late). */
    static Color ramp(double f) {
        int[] a = {253, 174, 97};
        int[] b = {49, 54, 149};
        return new Color((int) Math.round(a[0] + f * (b[0] - a[0])), (int) Math.round(a[1] + f * (b[1] - a[1])),
                (int) Math.round(a[2] + f * (b[2] - a[2])));
    }

    /** The two panels of curves.png: loss on its own axis, Acc@1 (0-100) on another. */
    public record Curves(XYChart loss, XYChart accuracy) {
        public List<XYChart> panels() { return List.of(loss, accuracy); }
    }

    /** Loss and Acc@1 per epoch, train and val, in two panels so that neither scale flattens the other. */
    public static Curves curves(double[] epochs, double[] trainLoss, double[] valLoss, double[] trainAcc,
                                double[] valAcc, double[] valEpochs) {
        XYChart loss = curvesPanel("loss", "loss");
        XYChart accuracy = curvesPanel("Acc@1", "Acc@1 (%)");
        accuracy.getStyler().setYAxisMin(0.0);
        accuracy.getStyler().setYAxisMax(100.0);
        if (epochs.length > 0) {
            loss.addSeries("train loss", epochs, trainLoss).setMarker(SeriesMarkers.CIRCLE);
            accuracy.addSeries("train Acc@1", epochs, trainAcc).setMarker(SeriesMarkers.DIAMOND);
        }
        if (valEpochs.length > 0) {
            loss.addSeries("val loss", valEpochs, valLoss).setMarker(SeriesMarkers.SQUARE);
            accuracy.addSeries("val Acc@1", valEpochs, valAcc).setMarker(SeriesMarkers.TRIANGLE_UP);
        }
        return new Curves(loss, accuracy);
    }

    private static XYChart curvesPanel(String title, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("epoch").yAxisTitle(yTitle).build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        return chart;
    }

    /** Draws the charts one below the other into {@code png}. */
    public static void saveStacked(List<? extends Chart<?, ?>> charts, Path png) throws IOException {
        int width = charts.stream().mapToInt(Chart::getWidth).max().orElse(WIDTH);
        int height = charts.stream().mapToInt(Chart::getHeight).sum();
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            int y = 0;
            for (Chart<?, ?> chart : charts) {
                g.drawImage(BitmapEncoder.getBufferedImage(chart), 0, y, null);
                y += chart.getHeight();
            }
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", png.toFile())) {
            throw new IOException("no PNG writer for " + png);
        }
    }

    /** log10 of the ratio for each (recording, block). */
    public static HeatMapChart evolution(int[] iterations, int blocks, double[][] log10Ratio) {
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title("log10 gradient norm ratio over training").xAxisTitle("iteration").yAxisTitle("residual block").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setRangeColors(new Color[] {new Color(49, 54, 149), Color.WHITE, new Color(165, 0, 38)});
        chart.getStyler().setMin(-1);
        chart.getStyler().setMax(1);
        List<Integer> x = new ArrayList<>();
        for (int it : iterations) {
            x.add(it);
        }
        List<Integer> y = new ArrayList<>();
        for (int i = 1; i <= blocks; i++) {
            y.add(i);
        }
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < iterations.length; r++) {
            for (int b = 0; b < blocks; b++) {
                cells.add(new Number[] {r, b, Math.max(-1, Math.min(1, log10Ratio[r][b]))});
            }
        }
        chart.addSeries("log10 ratio", x, y, cells);
        return chart;
    }

    /** Writes {@code base}.png and, when {@code svg}, {@code base}.svg. */
    public static void save(Chart<?, ?> chart, Path base, boolean svg) throws IOException {
        BitmapEncoder.saveBitmap(chart, base.toString(), BitmapEncoder.BitmapFormat.PNG);
        if (svg) {
            VectorGraphicsEncoder.saveVectorGraphic(chart, base.toString(), VectorGraphicsEncoder.VectorGraphicsFormat.SVG);
        }
    }
}
