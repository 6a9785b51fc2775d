package io.propensitykit.plot;

import io.propensitykit.explain.Dependence;
import io.propensitykit.explain.ImportanceReport;

import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.XYChart;

import java.awt.Color;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Pictures of why a model scores as it does, from {@code explain}'s results: permutation importance
 * with its spread, and partial dependence over the customers' own curves.
 *
 * <pre>{@code
 * ExplainPlots.importance(Importance.of(model, labelled, "purchased").compute()).show();
 * ExplainPlots.dependence(PartialDependence.of(model, customers, "recency_days")).show();
 * }</pre>
 */
public final class ExplainPlots {

    private ExplainPlots() {}

    /**
     * Partial dependence (thick) over the ICE curves (thin, grey) of one feature: how the score
     * moves when only that feature changes. A categorical feature's levels are drawn as bars of the
     * average.
     *
     * @param dependence from {@code PartialDependence.of(model, customers, "recency_days")}
     * @return the plot
     */
    public static Plot dependence(Dependence dependence) {
        String title = "How the score moves with " + dependence.feature();
        if (dependence.categorical()) {
            CategoryChart chart = Charts.categoryChart(title, dependence.feature(), "mean score (partial dependence)");
            chart.addSeries("partial dependence", dependence.grid(), Charts.toList(dependence.average()))
                    .setFillColor(Charts.PALETTE[0]);
            double[] x = new double[dependence.grid().size()];
            Arrays.setAll(x, i -> i + 1);
            return new Plot(chart, List.of(new Plot.Series("partial dependence", x, dependence.average())));
        }
        XYChart chart = Charts.xyChart(title, dependence.feature(), "score");
        chart.getStyler().setLegendVisible(false);
        Color ice = new Color(0x80, 0x80, 0x80, 90);
        for (int i = 0; i < dependence.ice().size(); i++) {
            Charts.line(chart, "ICE " + i, dependence.values(), dependence.ice().get(i)).setLineColor(ice)
                    .setLineWidth(0.6f);
        }
        Charts.line(chart, "partial dependence", dependence.values(), dependence.average()).setLineColor(Charts.PALETTE[1])
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
    public static Plot importance(ImportanceReport importance) {
        List<String> names = importance.features().stream().map(ImportanceReport.Feature::feature).toList();
        double[] drop = importance.features().stream().mapToDouble(ImportanceReport.Feature::aucDrop).toArray();
        double[] sd = importance.features().stream().mapToDouble(ImportanceReport.Feature::aucDropSd).toArray();
        double[] x = new double[names.size()];
        Arrays.setAll(x, i -> i + 1);
        CategoryChart chart = Charts.categoryChart(String.format(Locale.ROOT, "Permutation importance (AUC %.3f, %d"
                + " repeats)", importance.auc(), importance.repeats()), "feature", "AUC drop when shuffled");
        // The spread over repeats is an error bar on each bar (one sd either side), not a bar of its own.
        chart.getStyler().setErrorBarsColor(java.awt.Color.BLACK);
        chart.addSeries("mean AUC drop ± sd", names, Charts.toList(drop), Charts.toList(sd))
                .setFillColor(Charts.PALETTE[0]);
        return new Plot(chart, List.of(new Plot.Series("mean AUC drop ± sd", x, drop)));
    }
}
