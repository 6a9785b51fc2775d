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

/** What the kit's plot families share: the size, the palette, the two chart kinds and their threshold lines. */
final class Charts {

    static final int WIDTH = 800;
    static final int HEIGHT = 480;
    static final Color[] PALETTE = {new Color(0x30, 0x71, 0xa9, 170), new Color(0xe4, 0x57, 0x2e, 170),
        new Color(0x4d, 0xaf, 0x4a, 170), new Color(0x98, 0x4e, 0xa3, 170), new Color(0xff, 0x7f, 0x00, 170)};

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
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        return chart;
    }
    static XYChart xyChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }
    static XYSeries line(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }}
