package org.leno.internal.evaluate;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.HeatMapChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The evaluation's figures, drawn by XChart: the row-normalised confusion matrix and the reliability diagram. */
public final class EvaluationCharts {
    /** The most classes drawn on the confusion matrix's axes; above that, the classes of the top confusions. */
    public static final int READABLE_CLASSES = 30;
    private static final int CELL = 24;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private EvaluationCharts() {
    }

    /**
     * The classes the confusion figure shows: all of {@link EvaluationMetrics#labels()} when there are at
     * most {@value #READABLE_CLASSES}, else the classes of the largest confusions, in the order they
     * first appear there, up to {@value #READABLE_CLASSES}.
     */
    public static List<Integer> shownClasses(EvaluationMetrics e) {
        long[][] all = e.confusion();
        List<Integer> labels = e.labels();
        long[][] present = new long[labels.size()][labels.size()];
        for (int r = 0; r < labels.size(); r++) {
            for (int c = 0; c < labels.size(); c++) {
                present[r][c] = all[labels.get(r)][labels.get(c)];
            }
        }
        return TopConfusions.classes(present, READABLE_CLASSES).stream().map(labels::get).toList();
    }

    /** Each row (actual class) divided by its images; the actual classes top to bottom, the predicted left to right. */
    public static HeatMapChart confusion(EvaluationMetrics e) {
        List<Integer> shown = shownClasses(e);
        boolean all = shown.size() == e.labels().size();
        int n = shown.size();
        int size = Math.max(640, 260 + CELL * n);
        String title = all ? "Confusion matrix (each row divided by its images)"
                : "Top confusions: the " + n + " classes of the largest off-diagonal cells, of " + e.labels().size()
                        + " (all in confusion.csv)";
        HeatMapChart chart = new HeatMapChartBuilder().width(size + 120).height(size).title(title)
                .xAxisTitle("predicted class").yAxisTitle("actual class").build();
        HeatMapStyle.apply(chart, n);
        long[][] counts = e.confusion();
        List<String> x = new ArrayList<>();
        List<String> y = new ArrayList<>();
        for (int c : shown) {
            x.add(label(e.classNames().get(c)));
        }
        for (int r = n - 1; r >= 0; r--) {
            y.add(label(e.classNames().get(shown.get(r))));
        }
        List<Number[]> cells = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            long support = 0;
            for (long v : counts[shown.get(r)]) {
                support += v;
            }
            for (int col = 0; col < n; col++) {
                double share = support == 0 ? 0 : (double) counts[shown.get(r)][shown.get(col)] / support;
                cells.add(new Number[] {col, n - 1 - r, share});
            }
        }
        chart.addSeries("share of the actual class", x, y, cells);
        return chart;
    }

    /** Accuracy against mean confidence per bin, the diagonal of perfect calibration, and each bin's share of the images. */
    public static XYChart reliability(EvaluationMetrics e) {
        XYChart chart = new XYChartBuilder().width(720).height(640)
                .title(String.format(Locale.ROOT, "Reliability (%d bins): ECE %.4f over %d images",
                        EvaluationMetrics.ECE_BINS, e.expectedCalibrationError(), e.count()))
                .xAxisTitle("confidence (top-1 probability)").yAxisTitle("accuracy").build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.0);
        XYSeries diagonal = chart.addSeries("perfect calibration", new double[] {0, 1}, new double[] {0, 1});
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineColor(Color.GRAY);
        List<Double> conf = new ArrayList<>();
        List<Double> acc = new ArrayList<>();
        List<Double> centre = new ArrayList<>();
        List<Double> share = new ArrayList<>();
        for (EvaluationMetrics.Bin b : e.reliabilityBins()) {
            centre.add((b.lower() + b.upper()) / 2);
            share.add((double) b.count() / e.count());
            if (b.count() > 0) {
                conf.add(b.confidence());
                acc.add(b.accuracy());
            }
        }
        XYSeries bins = chart.addSeries("accuracy per bin (at its mean confidence)", conf, acc);
        bins.setMarker(SeriesMarkers.CIRCLE);
        bins.setLineColor(new Color(31, 119, 180));
        bins.setMarkerColor(new Color(31, 119, 180));
        XYSeries images = chart.addSeries("share of the images per bin", centre, share);
        images.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Step);
        images.setMarker(SeriesMarkers.NONE);
        images.setLineColor(new Color(255, 127, 14));
        return chart;
    }

    public static void savePng(Chart<?, ?> chart, Path png) throws IOException {
        String name = png.toString();
        BitmapEncoder.saveBitmap(chart, name.substring(0, name.length() - ".png".length()), BitmapEncoder.BitmapFormat.PNG);
    }

    /** A class name short enough for an axis. */
    private static String label(String name) {
        return name.length() <= 24 ? name : name.substring(0, 23) + "…";
    }

    /** The heat map's look: white to dark blue over [0, 1], values written in the cells when they fit. */
    private static final class HeatMapStyle {
        static void apply(HeatMapChart chart, int n) {
            chart.getStyler().setChartBackgroundColor(Color.WHITE);
            chart.getStyler().setRangeColors(new Color[] {Color.WHITE, new Color(107, 174, 214), new Color(8, 48, 107)});
            chart.getStyler().setMin(0);
            chart.getStyler().setMax(1);
            chart.getStyler().setXAxisLabelRotation(90);
            chart.getStyler().setShowValue(n <= 15);
            chart.getStyler().setHeatMapValueDecimalPattern("0.00");
            chart.getStyler().setValueFont(new Font(Font.SANS_SERIF, Font.PLAIN, 10));
            chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        }
    }
}
