package org.leno.analysis;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
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

    /** Loss and Acc@1 per epoch, train and val. */
    public static XYChart curves(double[] epochs, double[] trainLoss, double[] valLoss, double[] trainAcc,
                                 double[] valAcc, double[] valEpochs) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("training curves")
                .xAxisTitle("epoch").yAxisTitle("loss / Acc@1 (%)").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setYAxisLogarithmic(false);
        if (epochs.length > 0) {
            chart.addSeries("train loss", epochs, trainLoss).setMarker(SeriesMarkers.CIRCLE);
            chart.addSeries("train Acc@1", epochs, trainAcc).setMarker(SeriesMarkers.DIAMOND);
        }
        if (valEpochs.length > 0) {
            chart.addSeries("val loss", valEpochs, valLoss).setMarker(SeriesMarkers.SQUARE);
            chart.addSeries("val Acc@1", valEpochs, valAcc).setMarker(SeriesMarkers.TRIANGLE_UP);
        }
        return chart;
    }

    /** log10 of the ratio for each (recording, block). */
    public static HeatMapChart evolution(int[] iterations, int blocks, double[][] log10Ratio) {
        HeatMapChart chart = new HeatMapChartBuilder().width(WIDTH).height(HEIGHT)
                .title("log10 gradient norm ratio over training").xAxisTitle("iteration").yAxisTitle("residual block").build();
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setRangeColors(new Color[] {new Color(49, 54, 149), Color.WHITE, new Color(165, 0, 38)});
        chart.getStyler().setMin(-1);
        chart.getStyler().setMax(1);
        List<Integer> x = new java.util.ArrayList<>();
        for (int it : iterations) {
            x.add(it);
        }
        List<Integer> y = new java.util.ArrayList<>();
        for (int i = 1; i <= blocks; i++) {
            y.add(i);
        }
        List<Number[]> cells = new java.util.ArrayList<>();
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
