package io.propensitykit.plot;

import io.propensitykit.monitor.DriftReport;
import io.propensitykit.monitor.FeatureDrift;

import org.knowm.xchart.CategoryChart;

import java.awt.Color;
import java.util.List;
import java.util.Locale;

/**
 * Pictures of what moved between a baseline and a current input, from {@code monitor}'s results:
 * PSI by column against the watch and act lines, and a column's bins on both sides.
 *
 * <pre>{@code
 * DriftPlots.psi(drift).show();
 * DriftPlots.drift(drift.feature("propensity")).show();
 * }</pre>
 */
public final class DriftPlots {

    private DriftPlots() {}

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
        CategoryChart chart = Charts.categoryChart(String.format(Locale.ROOT, "PSI by column (watch from %.2f, act from"
                + " %.2f)", drift.watch(), drift.act()), "column", "PSI");
        // Overlapped: full-width bars, and threshold lines across them rather than in slots beside them.
        chart.getStyler().setOverlapped(true);
        chart.addSeries("PSI", names, Charts.toList(psi)).setFillColor(Charts.PALETTE[0]);
        Charts.threshold(chart, "watch", names, drift.watch(), Charts.PALETTE[4]);
        Charts.threshold(chart, "act", names, drift.act(), new Color(0xc0, 0x00, 0x00));
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
        CategoryChart chart = Charts.categoryChart(String.format(Locale.ROOT, "%s: PSI %.3f (%s)", feature.feature(),
                feature.psi(), feature.status().name().toLowerCase(Locale.ROOT)), feature.feature(), "share of rows");
        chart.addSeries("baseline", feature.bins(), Charts.toList(feature.baselineShares())).setFillColor(Charts.PALETTE[0]);
        chart.addSeries("current", feature.bins(), Charts.toList(feature.currentShares())).setFillColor(Charts.PALETTE[1]);
        return new Plot(chart, List.of(new Plot.Series("baseline", x, feature.baselineShares()),
                new Plot.Series("current", x, feature.currentShares())));
    }
}
