package io.propensitykit.plot;

import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.metrics.Calibration;
import io.propensitykit.metrics.Deciles;
import io.propensitykit.metrics.Histogram;

import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Pictures of scores, from {@code metrics}' results, one static factory each (what a treatment did is
 * drawn by {@link EffectPlots}, drift by {@link DriftPlots}, explanations by {@link ExplainPlots}). A
 * plot computes nothing itself: binning, curves and tables are done where the numbers
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

    /** A calibration bin with fewer rows than this gets its row count written beside its point. */
    static final long THIN_BIN = 100;

    private ScorePlots() {}

    /**
     * Histogram by group, the groups' bars side by side in each bin, each group's bars its share of
     * rows, so groups of different sizes compare.
     *
     * @param histogram the counts, from {@code Histogram.of(scored, "propensity", "channel", 20)}
     * @return the plot
     */
    public static Plot histogram(Histogram histogram) {
        CategoryChart chart = Charts.categoryChart("Score distribution by " + histogram.group(), histogram.column(),
                "share of group");
        List<Plot.Series> series = new ArrayList<>();
        int c = 0;
        for (String g : histogram.counts().keySet()) {
            double[] share = histogram.shares(g);
            String name = histogram.group() + "=" + g;
            series.add(new Plot.Series(name, histogram.centres(), share));
            chart.addSeries(name, labels(histogram), Charts.toList(share)).setFillColor(Charts.PALETTE[c++ % Charts.PALETTE.length]);
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
        CategoryChart chart = Charts.categoryChart("Propensity overlap: treated above, control below", arms.column(),
                "share of arm");
        // Each arm's bars start at the axis, the control's downwards; both read as shares, so the
        // ticks below the axis have no minus sign: a negative subpattern with a thin space for a
        // prefix (DecimalFormat ignores one identical to the positive pattern). XChart's tick label
        // function would fold the sign too, but its tick search never ends with one that does.
        chart.getStyler().setOverlapped(true);
        chart.getStyler().setYAxisDecimalPattern(Charts.TICKS + ";\u2009" + Charts.TICKS);
        chart.addSeries("treated", labels(arms), Charts.toList(treated)).setFillColor(Charts.PALETTE[1]);
        chart.addSeries("control", labels(arms), Charts.toList(control)).setFillColor(Charts.PALETTE[0]);
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
        XYChart chart = Charts.xyChart(String.format(Locale.ROOT, "Reliability (ECE %.3f)", calibration.ece()),
                "mean predicted probability", "observed rate");
        Charts.line(chart, "perfect calibration", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        Charts.line(chart, "model", x, y).setMarker(SeriesMarkers.CIRCLE);
        return new Plot(chart, List.of(new Plot.Series("perfect calibration", new double[] {0, 1}, new double[] {0, 1}),
                new Plot.Series("model", x, y)));
    }

    /**
     * Reliability per segment: one curve for each segment's bins, over the diagonal of perfect
     * calibration, each named with its ECE; a bin of fewer than 100 rows has its count beside it.
     *
     * @param bySegment from {@code Calibration.bySegment(scored, "propensity", "purchased", "device")}
     * @return the plot
     */
    public static Plot reliability(Map<String, Calibration> bySegment) {
        XYChart chart = Charts.xyChart("Reliability by segment", "mean predicted probability", "observed rate");
        Charts.line(chart, "perfect calibration", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        List<Plot.Series> series = new ArrayList<>();
        series.add(new Plot.Series("perfect calibration", new double[] {0, 1}, new double[] {0, 1}));
        int c = 0;
        for (Map.Entry<String, Calibration> e : bySegment.entrySet()) {
            double[] x = e.getValue().bins().stream().mapToDouble(Calibration.Bin::meanScore).toArray();
            double[] y = e.getValue().bins().stream().mapToDouble(Calibration.Bin::observedRate).toArray();
            String name = String.format(Locale.ROOT, "%s (ECE %.3f)", e.getKey(), e.getValue().ece());
            Color color = Charts.PALETTE[c % Charts.PALETTE.length];
            Charts.line(chart, name, x, y).setMarker(SeriesMarkers.CIRCLE).setMarkerColor(color).setLineColor(color);
            series.add(new Plot.Series(e.getKey(), x, y));
            // A bin of few rows moves a lot by chance: say how few, beside its point.
            for (Calibration.Bin bin : e.getValue().bins()) {
                if (bin.n() < THIN_BIN) {
                    chart.addAnnotation(new AnnotationText(String.format(Locale.ROOT, "n=%,d", bin.n()),
                            bin.meanScore(), bin.observedRate() + 0.04, false));
                }
            }
            c++;
        }
        return new Plot(chart, series);
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
        XYChart chart = Charts.xyChart(String.format(Locale.ROOT, "ROC (AUC %.3f)", metrics.rocAuc()), "false positive rate",
                "true positive rate");
        Charts.line(chart, "random", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        Charts.line(chart, "model", fpr, tpr);
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
        XYChart chart = Charts.xyChart("Cumulative gains", "share of customers (by score, highest first)",
                "share of responders captured");
        Charts.line(chart, "random", new double[] {0, 1}, new double[] {0, 1}).setLineColor(Color.GRAY);
        Charts.line(chart, "model", x, y).setMarker(SeriesMarkers.CIRCLE);
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
        CategoryChart chart = Charts.categoryChart("Lift by decile (1 = highest scores)", "decile", "lift over average");
        chart.addSeries("lift", labels, Charts.toList(lift)).setFillColor(Charts.PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("lift", x, lift)));
    }

    /**
     * Distribution of weights per arm.
     *
     * @param arms the weights binned by arm, from {@code Histogram.weightsByArm(weighted, "w", "treated", 30)}
     * @return the plot
     */
    public static Plot weights(Histogram arms) {
        CategoryChart chart = Charts.categoryChart("Weight distribution", arms.column(), "share of arm");
        chart.getStyler().setOverlapped(true);
        double[] treated = arms.shares(Histogram.TREATED);
        double[] control = arms.shares(Histogram.CONTROL);
        chart.addSeries("treated", labels(arms), Charts.toList(treated)).setFillColor(Charts.PALETTE[1]);
        chart.addSeries("control", labels(arms), Charts.toList(control)).setFillColor(Charts.PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("treated", arms.centres(), treated),
                new Plot.Series("control", arms.centres(), control)));
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
    }}
