package io.propensitykit.plot;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the kit's plot families share: the size, the palette, the two chart kinds and their threshold
 * lines. Colours are opaque and far apart (Okabe and Ito's colour-blind-safe set), so a series never
 * blends into a colour that no legend swatch shows; legends sit outside the data; axis ticks read
 * {@code 0.08}, not {@code .08}.
 */
final class Charts {

    static final int WIDTH = 800;
    static final int HEIGHT = 480;
    static final Color[] PALETTE = {new Color(0x00, 0x72, 0xb2), new Color(0xd5, 0x5e, 0x00),
        new Color(0x00, 0x9e, 0x73), new Color(0xcc, 0x79, 0xa7), new Color(0xe6, 0x9f, 0x00)};
    /** Tick labels: a leading zero, thousands grouped, up to three decimals. */
    static final String TICKS = "#,##0.###";

    private Charts() {}

    static void threshold(CategoryChart chart, String name, List<String> categories, double level,
            Color color) {
        double[] y = new double[categories.size()];
        Arrays.fill(y, level);
        CategorySeries series = chart.addSeries(name, categories, toList(y));
        series.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        series.setLineColor(color);
        series.setMarker(SeriesMarkers.NONE);
    }

    static List<Double> toList(double[] values) {
        List<Double> l = new ArrayList<>(values.length);
        for (double v : values) {
            l.add(v);
        }
        return l;
    }

    static CategoryChart categoryChart(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setYAxisDecimalPattern(TICKS);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        return chart;
    }

    static XYChart xyChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
        chart.getStyler().setXAxisDecimalPattern(TICKS);
        chart.getStyler().setYAxisDecimalPattern(TICKS);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    static XYSeries line(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }
}
