package io.propensitykit.explain;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;

import tech.tablesaw.api.Table;

import java.util.List;

/**
 * Partial dependence and ICE curves of one feature, as {@link PartialDependence} computes them: the
 * average score at every grid value of the feature (the partial dependence) and the first sampled
 * customers' own curves (ICE).
 *
 * <pre>{@code
 * Dependence recency = PartialDependence.of(model, customers, "recency_days");
 * ExplainPlots.dependence(recency).show();
 * }</pre>
 *
 * <p>A numeric feature's grid is its quantiles at {@code k/(points + 1)} (so the curve covers where
 * the data is); a categorical feature's grid is its most frequent levels.
 *
 * @param feature the feature
 * @param categorical whether the grid is levels rather than numbers
 * @param grid the grid's labels, in order (numbers as text for a numeric feature)
 * @param values the numeric grid values, empty for a categorical feature
 * @param average the mean score at each grid value: the partial dependence
 * @param ice one curve per sampled customer shown, scores at each grid value
 * @param rows the sampled customers behind the average
 */
public record Dependence(String feature, boolean categorical, List<String> grid, double[] values, double[] average,
        List<double[]> ice, long rows) implements Tabular {

    /** Keeps the lists as given. */
    public Dependence {
        grid = List.copyOf(grid);
        ice = List.copyOf(ice);
    }

    /** @return one row per grid point: the feature's value and the average score there */
    @Override
    public Table table() {
        return Rows.of("partial dependence on " + feature, java.util.stream.IntStream.range(0, grid.size()).boxed()
                .toList()).text(feature, grid::get).number("average score", i -> average[i], 4).table();
    }

    /** @return the feature and the curves' size, as a notebook shows a value */
    @Override
    public String toString() {
        return "Dependence[" + feature + ", " + grid.size() + " grid points, " + rows + " customers, " + ice.size()
                + " curves]";
    }
}
