package io.propensitykit.plot;

import io.propensitykit.causal.Balance;
import io.propensitykit.causal.Sensitivity;
import io.propensitykit.causal.Uplift;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Pictures of what a treatment did, from {@code causal}'s results: covariate balance before and
 * after weighting (a love plot), the Qini curve of an uplift score, and Rosenbaum's sensitivity bounds.
 *
 * <pre>{@code
 * EffectPlots.love(Balance.of(weighted, "treated", covariates, "w")).show();
 * EffectPlots.sensitivity(Sensitivity.rosenbaum(differences, 0.05)).show();
 * }</pre>
 */
public final class EffectPlots {

    private EffectPlots() {}

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
        CategoryChart chart = Charts.categoryChart("Covariate balance: |standardized mean difference|", "covariate", "|SMD|");
        chart.getStyler().setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        chart.addSeries("before", names, Charts.toList(before)).setMarkerColor(Charts.PALETTE[1]);
        chart.addSeries("after", names, Charts.toList(after)).setMarkerColor(Charts.PALETTE[0]);
        Charts.threshold(chart, "threshold 0.1", names, Balance.THRESHOLD, Color.GRAY);
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
        XYChart chart = Charts.xyChart(String.format(Locale.ROOT, "Qini curve (coefficient %.4f)", uplift.qiniCoefficient()),
                "share of customers targeted (by uplift score, highest first)", "incremental responders");
        Charts.line(chart, "random", new double[] {0, 1}, random).setLineColor(Color.GRAY);
        Charts.line(chart, "model", x, q).setMarker(SeriesMarkers.CIRCLE);
        return new Plot(chart, List.of(new Plot.Series("random", new double[] {0, 1}, random),
                new Plot.Series("model", x, q)));
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
        XYChart chart = Charts.xyChart(String.format(Locale.ROOT,
                "Sensitivity to hidden bias (signed rank holds to Γ = %.2f)", bounds.wilcoxonGamma()),
                "Γ (odds of treatment within a pair, up to)", "p-value, upper bound");
        Charts.line(chart, "sign test", gamma, sign).setMarker(SeriesMarkers.CIRCLE);
        Charts.line(chart, "signed-rank test", gamma, wilcoxon).setMarker(SeriesMarkers.DIAMOND);
        Charts.line(chart, "alpha", alphaX, alphaY).setLineColor(Color.GRAY);
        return new Plot(chart, List.of(new Plot.Series("sign test", gamma, sign),
                new Plot.Series("signed-rank test", gamma, wilcoxon), new Plot.Series("alpha", alphaX, alphaY)));
    }}
