package io.propensitykit.plot;

import io.propensitykit.causal.Balance;
import io.propensitykit.causal.Uplift;
import io.propensitykit.causal.Sensitivity;
import io.propensitykit.explain.Dependence;
import io.propensitykit.explain.Importance;
import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.metrics.Calibration;
import io.propensitykit.metrics.Deciles;
import io.propensitykit.metrics.Histogram;
import io.propensitykit.monitor.DriftReport;
import io.propensitykit.monitor.FeatureDrift;

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
import java.util.Locale;
import java.util.Map;

/**
 * The kit's plots, one static factory each. A plot draws a result of {@code metrics} or
 * {@code causal} and computes nothing itself: binning, curves and tables are done where the numbers
 * live, inside Spark for a DataFrame, so a 100M-row score column plots in the memory of a small one.
 *
 * <pre>{@code
 * ScorePlots.histogram(Histogram.of(scored, "propensity", "channel", 20)).show();   // score by group, overlaid
 * ScorePlots.mirrored(Histogram.byArm(scored, "p_treated", "treated", 20)).show();  // treated above, control below
 * ScorePlots.reliability(Calibration.of(scored, "propensity", "purchased", 10)).show();
 * ScorePlots.roc(BinaryMetrics.of(scored, "propensity", "purchased")).save(Path.of("roc.svg"));
 * }</pre>
 */
public final class ScorePlots {

    private static final int WIDTH = 800;
    private static final int HEIGHT = 480;
    private static final Color[] PALETTE = {new Color(0x30, 0x71, 0xa9, 170), new Color(0xe4, 0x57, 0x2e, 170),
        new Color(0x4d, 0xaf, 0x4a, 170), new Color(0x98, 0x4e, 0xa3, 170), new Color(0xff, 0x7f, 0x00, 170)};

    private ScorePlots() {}

    /**
     * Histogram by group, overlaid; each group's bars are its share of rows, so groups of
     * different sizes compare.
     *
     * @param histogram the counts, from {@code Histogram.of(scored, "propensity", "channel", 20)}
     * @return the plot
     */
    public static Plot histogram(Histogram histogram) {
        CategoryChart chart = categoryChart("Score distribution by " + histogram.group(), histogram.column(),
                "share of group");
        chart.getStyler().setOverlapped(true);
        List<Plot.Series> series = new ArrayList<>();
        int c = 0;
        for (String g : histogram.counts().keySet()) {
            double[] share = histogram.shares(g);
            String name = histogram.group() + "=" + g;
            series.add(new Plot.Series(name, histogram.centres(), share));
            chart.addSeries(name, labels(histogram), toList(share)).setFillColor(PALETTE[c++ % PALETTE.length]);
        }
        return new Plot(chart, series);
    }

    /**
     * The propensity distributions of the treated (above the axis) and the controls (below): where
     * one arm has no mirror, there is no overlap.
     *
     * @param arms the counts by arm, from {@code Histogram.byArm(withPs, "ps", "treated", 20)}
     * @return the plot
     */
    public static Plot mirrored(Histogram arms) {
        double[] treated = armShares(arms, Histogram.TREATED);
        double[] control = armShares(arms, Histogram.CONTROL);
        for (int i = 0; i < control.length; i++) {
            control[i] = -control[i];
        }
        CategoryChart chart = categoryChart("Propensity overlap: treated above, control below", arms.column(),
                "share of arm");
        chart.getStyler().setOverlapped(true);
        chart.addSeries("treated", labels(arms), toList(treated)).setFillColor(PALETTE[1]);
        chart.addSeries("control", labels(arms), toList(control)).setFillColor(PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("treated", arms.centres(), treated),
                new Plot.Series("control", arms.centres(), control)));
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
     * Reliability per segment: one curve for each segment's bins, over the diagonal of perfect
     * calibration, each named with its ECE.
     *
     * @param bySegment from {@code Calibration.bySegment(scored, "propensity", "purchased", "device")}
     * @return the plot
     */
    public static Plot reliability(Map<String, Calibration> bySegment) {
        XYChart chart = xyChart("Reliability by segment", "mean predicted probability", "observed rate");
        line(chart, "perfect calibration", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        List<Plot.Series> series = new ArrayList<>();
        series.add(new Plot.Series("perfect calibration", new double[] {0, 1}, new double[] {0, 1}));
        int c = 0;
        for (Map.Entry<String, Calibration> e : bySegment.entrySet()) {
            double[] x = e.getValue().bins().stream().mapToDouble(Calibration.Bin::meanScore).toArray();
            double[] y = e.getValue().bins().stream().mapToDouble(Calibration.Bin::observedRate).toArray();
            String name = String.format(Locale.ROOT, "%s (ECE %.3f)", e.getKey(), e.getValue().ece());
            Color color = PALETTE[c % PALETTE.length];
            line(chart, name, x, y).setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color).setLineColor(color);
            series.add(new Plot.Series(e.getKey(), x, y));
            c++;
        }
        return new Plot(chart, series);
    }

    /**
     * Partial dependence (thick) over the ICE curves (thin, grey) of one feature: how the score
     * moves when only that feature changes. A categorical feature's levels are drawn as bars of the
     * average.
     *
     * @param dependence from {@code Dependence.of(model, customers, "recency_days")}
     * @return the plot
     */
    public static Plot dependence(Dependence dependence) {
        String title = "How the score moves with " + dependence.feature();
        if (dependence.categorical()) {
            CategoryChart chart = categoryChart(title, dependence.feature(), "mean score (partial dependence)");
            chart.addSeries("partial dependence", dependence.grid(), toList(dependence.average()))
                    .setFillColor(PALETTE[0]);
            double[] x = new double[dependence.grid().size()];
            Arrays.setAll(x, i -> i + 1);
            return new Plot(chart, List.of(new Plot.Series("partial dependence", x, dependence.average())));
        }
        XYChart chart = xyChart(title, dependence.feature(), "score");
        chart.getStyler().setLegendVisible(false);
        Color ice = new Color(0x80, 0x80, 0x80, 90);
        for (int i = 0; i < dependence.ice().size(); i++) {
            line(chart, "ICE " + i, dependence.values(), dependence.ice().get(i)).setLineColor(ice)
                    .setLineWidth(0.6f);
        }
        line(chart, "partial dependence", dependence.values(), dependence.average()).setLineColor(PALETTE[1])
                .setLineWidth(3f);
        return new Plot(chart, List.of(new Plot.Series("partial dependence", dependence.values(),
                dependence.average())));
    }

    /**
     * Permutation importance: each feature's mean AUC drop, largest first, with the drops' spread
     * over repeats as a second bar.
     *
     * @param importance from {@code Importance.of(model, labelled, "purchased").compute()}
     * @return the plot
     */
    public static Plot importance(Importance.Report importance) {
        List<String> names = importance.features().stream().map(Importance.Feature::feature).toList();
        double[] drop = importance.features().stream().mapToDouble(Importance.Feature::aucDrop).toArray();
        double[] sd = importance.features().stream().mapToDouble(Importance.Feature::aucDropSd).toArray();
        double[] x = new double[names.size()];
        Arrays.setAll(x, i -> i + 1);
        CategoryChart chart = categoryChart(String.format(Locale.ROOT, "Permutation importance (AUC %.3f, %d"
                + " repeats)", importance.auc(), importance.repeats()), "feature", "AUC drop when shuffled");
        chart.addSeries("mean AUC drop", names, toList(drop)).setFillColor(PALETTE[0]);
        chart.addSeries("sd over repeats", names, toList(sd)).setFillColor(PALETTE[1]);
        return new Plot(chart, List.of(new Plot.Series("mean AUC drop", x, drop),
                new Plot.Series("sd over repeats", x, sd)));
    }

    /**
     * ROC curve.
     *
     * @param metrics the metrics, whose curve is drawn
     * @return the plot
     */
    public static Plot roc(BinaryMetrics metrics) {
        double[] fpr = metrics.roc().fpr();
        double[] tpr = metrics.roc().tpr();
        XYChart chart = xyChart(String.format(Locale.ROOT, "ROC (AUC %.3f)", metrics.rocAuc()), "false positive rate",
                "true positive rate");
        line(chart, "random", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        line(chart, "model", fpr, tpr);
        return new Plot(chart, List.of(new Plot.Series("random", new double[] {0, 1}, new double[] {0, 1}),
                new Plot.Series("model", fpr, tpr)));
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
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.addSeries("before", names, toList(before)).setMarkerColor(PALETTE[1]);
        chart.addSeries("after", names, toList(after)).setMarkerColor(PALETTE[0]);
        threshold(chart, "threshold 0.1", names, Balance.THRESHOLD, Color.GRAY);
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
     * Distribution of weights per arm.
     *
     * @param arms the weights binned by arm, from {@code Histogram.weightsByArm(weighted, "w", "treated", 30)}
     * @return the plot
     */
    public static Plot weights(Histogram arms) {
        CategoryChart chart = categoryChart("Weight distribution", arms.column(), "share of arm");
        chart.getStyler().setOverlapped(true);
        double[] treated = arms.shares(Histogram.TREATED);
        double[] control = arms.shares(Histogram.CONTROL);
        chart.addSeries("treated", labels(arms), toList(treated)).setFillColor(PALETTE[1]);
        chart.addSeries("control", labels(arms), toList(control)).setFillColor(PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("treated", arms.centres(), treated),
                new Plot.Series("control", arms.centres(), control)));
    }

    /**
     * PSI by column, most drifted first, against the watch and act thresholds.
     *
     * @param drift the report, from {@code Drift.forModel(...).compute()}
     * @return the plot
     */
    public static Plot psi(DriftReport drift) {
        List<String> names = drift.features().stream().map(FeatureDrift::feature).toList();
        double[] x = new double[names.size()];
        double[] psi = new double[names.size()];
        for (int i = 0; i < psi.length; i++) {
            x[i] = i + 1;
            psi[i] = drift.features().get(i).psi();
        }
        CategoryChart chart = categoryChart(String.format(Locale.ROOT, "PSI by column (watch from %.2f, act from"
                + " %.2f)", drift.watch(), drift.act()), "column", "PSI");
        // Overlapped: full-width bars, and threshold lines across them rather than in slots beside them.
        chart.getStyler().setOverlapped(true);
        chart.addSeries("PSI", names, toList(psi)).setFillColor(PALETTE[0]);
        threshold(chart, "watch", names, drift.watch(), PALETTE[4]);
        threshold(chart, "act", names, drift.act(), new Color(0xc0, 0x00, 0x00));
        return new Plot(chart, List.of(new Plot.Series("PSI", x, psi)));
    }

    /**
     * One column's PSI bins, baseline and current side by side: each bin's share of all rows,
     * nulls included, which is what the PSI compares.
     *
     * @param feature one column of a drift report ({@code drift.feature("propensity")})
     * @return the plot
     */
    public static Plot drift(FeatureDrift feature) {
        int n = feature.bins().size();
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = i + 1;
        }
        CategoryChart chart = categoryChart(String.format(Locale.ROOT, "%s: PSI %.3f (%s)", feature.feature(),
                feature.psi(), feature.status().name().toLowerCase(Locale.ROOT)), feature.feature(), "share of rows");
        chart.getStyler().setOverlapped(true);
        chart.addSeries("baseline", feature.bins(), toList(feature.baselineShares())).setFillColor(PALETTE[0]);
        chart.addSeries("current", feature.bins(), toList(feature.currentShares())).setFillColor(PALETTE[1]);
        return new Plot(chart, List.of(new Plot.Series("baseline", x, feature.baselineShares()),
                new Plot.Series("current", x, feature.currentShares())));
    }

    private static void threshold(CategoryChart chart, String name, List<String> categories, double level,
            Color color) {
        double[] y = new double[categories.size()];
        Arrays.fill(y, level);
        CategorySeries series = chart.addSeries(name, categories, toList(y));
        series.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line);
        series.setLineColor(color);
        series.setMarker(SeriesMarkers.NONE);
    }

    private static double[] armShares(Histogram arms, String arm) {
        if (!arms.counts().containsKey(arm) || Arrays.stream(arms.counts().get(arm)).sum() == 0) {
            throw new IllegalArgumentException("A mirrored histogram needs both arms; '" + arms.column()
                    + "' has no " + arm + " rows");
        }
        return arms.shares(arm);
    }

    private static List<String> labels(Histogram histogram) {
        List<String> l = new ArrayList<>();
        for (double c : histogram.centres()) {
            l.add(String.format(Locale.ROOT, "%.2f", c));
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
    public static Plot sensitivity(Sensitivity.Rosenbaum bounds) {
        double[] gamma = bounds.bounds().stream().mapToDouble(Sensitivity.Bound::gamma)
                .toArray();
        double[] sign = bounds.bounds().stream().mapToDouble(Sensitivity.Bound::signTest)
                .toArray();
        double[] wilcoxon = bounds.bounds().stream().mapToDouble(Sensitivity.Bound::wilcoxon)
                .toArray();
        double[] alphaX = {gamma[0], gamma[gamma.length - 1]};
        double[] alphaY = {bounds.alpha(), bounds.alpha()};
        XYChart chart = xyChart(String.format(Locale.ROOT,
                "Sensitivity to hidden bias (signed rank holds to Γ = %.2f)", bounds.wilcoxonGamma()),
                "Γ (odds of treatment within a pair, up to)", "p-value, upper bound");
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
}
