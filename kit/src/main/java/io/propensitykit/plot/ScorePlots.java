package io.propensitykit.plot;

import io.propensitykit.causal.Balance;
import io.propensitykit.causal.Uplift;
import io.propensitykit.metrics.Calibration;
import io.propensitykit.metrics.Deciles;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The kit's plots, one static factory each. Plots of a DataFrame bin inside Spark (one
 * aggregation, a few hundred numbers back), so a 100M-row score column plots in the memory of a
 * small one; plots of a metrics result draw its rows.
 *
 * <pre>{@code
 * ScorePlots.histogram(scored, "propensity", "channel").show();     // score by group, overlaid
 * ScorePlots.mirrored(scored, "p_treated", "treated").show();        // treated above, control below
 * ScorePlots.reliability(Calibration.of(scored, "propensity", "purchased", 10)).show();
 * ScorePlots.roc(scored, "propensity", "purchased").save(Path.of("roc.svg"));
 * }</pre>
 */
public final class ScorePlots {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 480;
    private static final int ROC_BINS = 1000;
    private static final Color[] PALETTE = {new Color(0x30, 0x71, 0xa9, 170), new Color(0xe4, 0x57, 0x2e, 170),
        new Color(0x4d, 0xaf, 0x4a, 170), new Color(0x98, 0x4e, 0xa3, 170), new Color(0xff, 0x7f, 0x00, 170)};

    private ScorePlots() {}

    /**
     * Score histogram by group, overlaid; each group's bars are its share of rows, so groups of
     * different sizes compare.
     *
     * @param df the rows
     * @param scoreCol scores in [0, 1]
     * @param groupCol the group column (treatment, channel, ...)
     * @param bins the number of equal-width bins on [0, 1]
     * @return the plot
     */
    public static Plot histogram(Dataset<?> df, String scoreCol, String groupCol, int bins) {
        Map<String, long[]> counts = binByGroup(df, scoreCol, groupCol, bins);
        CategoryChart chart = categoryChart("Score distribution by " + groupCol, scoreCol, "share of group");
        chart.getStyler().setOverlapped(true);
        List<Plot.Series> series = new ArrayList<>();
        int c = 0;
        for (Map.Entry<String, long[]> g : counts.entrySet()) {
            double[] share = shares(g.getValue());
            series.add(new Plot.Series(groupCol + "=" + g.getKey(), centres(bins), share));
            chart.addSeries(groupCol + "=" + g.getKey(), labels(bins), toList(share)).setFillColor(PALETTE[c++ % PALETTE.length]);
        }
        return new Plot(chart, series);
    }

    /**
     * Score histogram by group with 20 bins.
     *
     * @param df the rows
     * @param scoreCol scores in [0, 1]
     * @param groupCol the group column
     * @return the plot
     */
    public static Plot histogram(Dataset<?> df, String scoreCol, String groupCol) {
        return histogram(df, scoreCol, groupCol, 20);
    }

    /**
     * The propensity distributions of the treated (above the axis) and the controls (below): where
     * one arm has no mirror, there is no overlap.
     *
     * @param df the rows
     * @param scoreCol treatment propensity in [0, 1]
     * @param treatCol 0/1 treatment
     * @param bins the number of bins
     * @return the plot
     */
    public static Plot mirrored(Dataset<?> df, String scoreCol, String treatCol, int bins) {
        Map<String, long[]> counts = binByGroup(df.toDF().withColumn(treatCol,
                functions.col(treatCol).cast("int").cast("string")), scoreCol, treatCol, bins);
        if (!counts.containsKey("1") || !counts.containsKey("0")) {
            throw new IllegalArgumentException("A mirrored histogram needs both arms of '" + treatCol + "'");
        }
        double[] treated = shares(counts.get("1"));
        double[] control = shares(counts.get("0"));
        for (int i = 0; i < control.length; i++) {
            control[i] = -control[i];
        }
        CategoryChart chart = categoryChart("Propensity overlap: treated above, control below", scoreCol,
                "share of arm");
        chart.getStyler().setOverlapped(true);
        chart.addSeries("treated", labels(bins), toList(treated)).setFillColor(PALETTE[1]);
        chart.addSeries("control", labels(bins), toList(control)).setFillColor(PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("treated", centres(bins), treated),
                new Plot.Series("control", centres(bins), control)));
    }

    /**
     * The mirrored histogram with 20 bins.
     *
     * @param df the rows
     * @param scoreCol treatment propensity
     * @param treatCol 0/1 treatment
     * @return the plot
     */
    public static Plot mirrored(Dataset<?> df, String scoreCol, String treatCol) {
        return mirrored(df, scoreCol, treatCol, 20);
    }

    /**
     * Reliability diagram: observed rate against mean score per bin, with the diagonal of perfect calibration.
     *
     * @param calibration the binned calibration
     * @return the plot
     */
    public static Plot reliability(Calibration calibration) {
        double[] x = calibration.bins().stream().mapToDouble(Calibration.Bin::meanScore).toArray();
        double[] y = calibration.bins().stream().mapToDouble(Calibration.Bin::observedRate).toArray();
        XYChart chart = xyChart(String.format(Locale.ROOT, "Reliability (ECE %.3f)", calibration.ece()),
                "mean predicted probability", "observed rate");
        line(chart, "perfect calibration", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        line(chart, "model", x, y).setMarker(SeriesMarkers.CIRCLE);
        return new Plot(chart, List.of(new Plot.Series("perfect calibration", new double[] {0, 1}, new double[] {0, 1}),
                new Plot.Series("model", x, y)));
    }

    /**
     * ROC curve, from 1,000 score bins counted inside Spark.
     *
     * @param df the rows
     * @param scoreCol scores in [0, 1]
     * @param labelCol 0/1 label
     * @return the plot
     */
    public static Plot roc(Dataset<?> df, String scoreCol, String labelCol) {
        long[][] counts = binByLabel(df, scoreCol, labelCol, ROC_BINS);
        long pos = 0;
        long neg = 0;
        for (int b = 0; b < ROC_BINS; b++) {
            neg += counts[0][b];
            pos += counts[1][b];
        }
        double[] fpr = new double[ROC_BINS + 1];
        double[] tpr = new double[ROC_BINS + 1];
        long tp = 0;
        long fp = 0;
        for (int b = ROC_BINS - 1, i = 1; b >= 0; b--, i++) {
            tp += counts[1][b];
            fp += counts[0][b];
            fpr[i] = (double) fp / neg;
            tpr[i] = (double) tp / pos;
        }
        XYChart chart = xyChart("ROC", "false positive rate", "true positive rate");
        line(chart, "random", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        line(chart, scoreCol, fpr, tpr);
        return new Plot(chart, List.of(new Plot.Series("random", new double[] {0, 1}, new double[] {0, 1}),
                new Plot.Series(scoreCol, fpr, tpr)));
    }

    /**
     * Cumulative gains: the share of responders captured against the share of customers contacted, by decile.
     *
     * @param deciles the decile table
     * @return the plot
     */
    public static Plot gains(Deciles deciles) {
        double[] x = new double[11];
        double[] y = new double[11];
        long total = deciles.rows().stream().mapToLong(Deciles.Decile::n).sum();
        long cum = 0;
        for (int d = 0; d < 10; d++) {
            cum += deciles.rows().get(d).n();
            x[d + 1] = (double) cum / total;
            y[d + 1] = deciles.rows().get(d).cumulativeGain();
        }
        XYChart chart = xyChart("Cumulative gains", "share of customers (by score, highest first)",
                "share of responders captured");
        line(chart, "random", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        line(chart, "model", x, y).setMarker(SeriesMarkers.CIRCLE);
        return new Plot(chart, List.of(new Plot.Series("random", new double[] {0, 1}, new double[] {0, 1}),
                new Plot.Series("model", x, y)));
    }

    /**
     * Lift and response rate per decile, as bars.
     *
     * @param deciles the decile table
     * @return the plot
     */
    public static Plot deciles(Deciles deciles) {
        double[] x = new double[10];
        double[] lift = new double[10];
        List<String> labels = new ArrayList<>();
        for (int d = 0; d < 10; d++) {
            x[d] = d + 1;
            lift[d] = deciles.rows().get(d).lift();
            labels.add(Integer.toString(d + 1));
        }
        CategoryChart chart = categoryChart("Lift by decile (1 = highest scores)", "decile", "lift over average");
        chart.addSeries("lift", labels, toList(lift)).setFillColor(PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("lift", x, lift)));
    }

    /**
     * Love plot: each covariate's |SMD| before and after weighting, with the 0.1 threshold.
     *
     * @param balance the balance table (with weights)
     * @return the plot
     */
    public static Plot love(Balance balance) {
        int k = balance.rows().size();
        List<String> names = new ArrayList<>();
        double[] position = new double[k];
        double[] before = new double[k];
        double[] after = new double[k];
        for (int j = 0; j < k; j++) {
            names.add(balance.rows().get(j).covariate());
            position[j] = j + 1;
            before[j] = Math.abs(balance.rows().get(j).smdBefore());
            after[j] = Math.abs(balance.rows().get(j).smdAfter());
        }
        CategoryChart chart = categoryChart("Covariate balance: |standardized mean difference|", "covariate", "|SMD|");
        chart.getStyler().setDefaultSeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.addSeries("before", names, toList(before)).setMarkerColor(PALETTE[1]);
        chart.addSeries("after", names, toList(after)).setMarkerColor(PALETTE[0]);
        double[] threshold = new double[k];
        java.util.Arrays.fill(threshold, Balance.THRESHOLD);
        var line = chart.addSeries("threshold 0.1", names, toList(threshold));
        line.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
        line.setLineColor(Color.GRAY);
        line.setMarker(SeriesMarkers.NONE);
        return new Plot(chart, List.of(new Plot.Series("before", position, before),
                new Plot.Series("after", position, after)));
    }

    /**
     * Qini curve by decile of the uplift score, against the random-targeting line.
     *
     * @param uplift the uplift summary
     * @return the plot
     */
    public static Plot qini(Uplift uplift) {
        double[] x = uplift.share();
        double[] q = uplift.qini();
        double[] random = {0, q[q.length - 1]};
        XYChart chart = xyChart(String.format(Locale.ROOT, "Qini curve (coefficient %.4f)", uplift.qiniCoefficient()),
                "share of customers targeted (by uplift score, highest first)", "incremental responders");
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        line(chart, "random", new double[] {0, 1}, random).setLineColor(Color.GRAY);
        line(chart, "model", x, q).setMarker(SeriesMarkers.CIRCLE);
        return new Plot(chart, List.of(new Plot.Series("random", new double[] {0, 1}, random),
                new Plot.Series("model", x, q)));
    }

    /**
     * Distribution of weights per arm, binned inside Spark between the smallest and largest weight.
     *
     * @param df rows with a weight column
     * @param weightCol the weights
     * @param treatCol 0/1 treatment
     * @param bins the number of bins
     * @return the plot
     */
    public static Plot weights(Dataset<?> df, String weightCol, String treatCol, int bins) {
        Row range = df.agg(functions.min(weightCol), functions.max(weightCol)).first();
        double lo = ((Number) range.get(0)).doubleValue();
        double hi = ((Number) range.get(1)).doubleValue();
        double width = hi > lo ? (hi - lo) / bins : 1;
        Column bin = functions.least(functions.floor(functions.col(weightCol).minus(lo).divide(width)),
                functions.lit(bins - 1)).cast("int");
        long[][] counts = new long[2][bins];
        for (Row r : df.select(functions.col(treatCol).cast("int").as("t"), bin.as("b")).groupBy("t", "b").count()
                .collectAsList()) {
            counts[r.getInt(0)][r.getInt(1)] = r.getLong(2);
        }
        List<String> labels = new ArrayList<>();
        double[] centres = new double[bins];
        for (int b = 0; b < bins; b++) {
            centres[b] = lo + (b + 0.5) * width;
            labels.add(String.format(Locale.ROOT, "%.2f", centres[b]));
        }
        CategoryChart chart = categoryChart("Weight distribution", weightCol, "share of arm");
        chart.getStyler().setOverlapped(true);
        double[] treated = shares(counts[1]);
        double[] control = shares(counts[0]);
        chart.addSeries("treated", labels, toList(treated)).setFillColor(PALETTE[1]);
        chart.addSeries("control", labels, toList(control)).setFillColor(PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("treated", centres, treated),
                new Plot.Series("control", centres, control)));
    }

    /** Counts rows per (group, bin) inside Spark. */
    static Map<String, long[]> binByGroup(Dataset<?> df, String scoreCol, String groupCol, int bins) {
        Column bin = scoreBin(scoreCol, bins);
        Map<String, long[]> counts = new TreeMap<>();
        for (Row r : df.select(functions.col(groupCol).cast("string").as("g"), bin.as("b")).groupBy("g", "b").count()
                .collectAsList()) {
            String g = r.isNullAt(0) ? "null" : r.getString(0);
            counts.computeIfAbsent(g, k -> new long[bins])[r.getInt(1)] = r.getLong(2);
        }
        return counts;
    }

    static long[][] binByLabel(Dataset<?> df, String scoreCol, String labelCol, int bins) {
        long[][] counts = new long[2][bins];
        for (Row r : df.select(functions.col(labelCol).cast("int").as("y"), scoreBin(scoreCol, bins).as("b"))
                .groupBy("y", "b").count().collectAsList()) {
            counts[r.getInt(0)][r.getInt(1)] = r.getLong(2);
        }
        return counts;
    }

    private static Column scoreBin(String scoreCol, int bins) {
        Column s = functions.col(scoreCol).cast("double");
        return functions.when(s.isNull().or(s.lt(0)).or(s.gt(1)),
                functions.raise_error(functions.concat(functions.lit("Scores in '" + scoreCol
                        + "' must lie in [0, 1]; found "), s.cast("string"))))
                .otherwise(functions.least(functions.floor(s.multiply(bins)), functions.lit(bins - 1)))
                .cast("int");
    }

    private static double[] shares(long[] counts) {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        double[] out = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            out[i] = total == 0 ? 0 : (double) counts[i] / total;
        }
        return out;
    }

    private static double[] centres(int bins) {
        double[] c = new double[bins];
        for (int b = 0; b < bins; b++) {
            c[b] = (b + 0.5) / bins;
        }
        return c;
    }

    private static List<String> labels(int bins) {
        List<String> l = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            l.add(String.format(Locale.ROOT, "%.2f", (b + 0.5) / bins));
        }
        return l;
    }

    private static List<Double> toList(double[] values) {
        List<Double> l = new ArrayList<>(values.length);
        for (double v : values) {
            l.add(v);
        }
        return l;
    }

    private static CategoryChart categoryChart(String title, String xTitle, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setXAxisLabelRotation(45);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        chart.getStyler().setPlotGridVerticalLinesVisible(false);
        return chart;
    }

    /**
     * Rosenbaum bounds against Γ: the upper bound of each test's p-value as hidden bias grows, and
     * the significance level it must stay under.
     *
     * @param bounds the bounds from {@code Sensitivity.rosenbaum}
     * @return the plot
     */
    public static Plot sensitivity(io.propensitykit.causal.Sensitivity.Rosenbaum bounds) {
        double[] gamma = bounds.bounds().stream().mapToDouble(io.propensitykit.causal.Sensitivity.Bound::gamma)
                .toArray();
        double[] sign = bounds.bounds().stream().mapToDouble(io.propensitykit.causal.Sensitivity.Bound::signTest)
                .toArray();
        double[] wilcoxon = bounds.bounds().stream().mapToDouble(io.propensitykit.causal.Sensitivity.Bound::wilcoxon)
                .toArray();
        double[] alphaX = {gamma[0], gamma[gamma.length - 1]};
        double[] alphaY = {bounds.alpha(), bounds.alpha()};
        XYChart chart = xyChart(String.format(Locale.ROOT, "Sensitivity to hidden bias (signed rank holds to Γ = %.2f)",
                bounds.wilcoxonGamma()), "Γ (odds of treatment within a pair, up to)", "p-value, upper bound");
        line(chart, "sign test", gamma, sign).setMarker(SeriesMarkers.CIRCLE);
        line(chart, "signed-rank test", gamma, wilcoxon).setMarker(SeriesMarkers.DIAMOND);
        line(chart, "alpha", alphaX, alphaY).setLineColor(Color.GRAY);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        return new Plot(chart, List.of(new Plot.Series("sign test", gamma, sign),
                new Plot.Series("signed-rank test", gamma, wilcoxon), new Plot.Series("alpha", alphaX, alphaY)));
    }

    private static XYChart xyChart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setChartBackgroundColor(Color.WHITE);
        return chart;
    }

    private static XYSeries line(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setMarker(SeriesMarkers.NONE);
        return s;
    }

    private static XYSeries scatter(XYChart chart, String name, double[] x, double[] y) {
        XYSeries s = chart.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.CIRCLE);
        return s;
    }
}
