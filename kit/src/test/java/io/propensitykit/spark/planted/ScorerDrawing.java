package io.propensitykit.spark.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: half of a package cycle, spark to plot. */
public final class ScorerDrawing {

    private ScorerDrawing() {}

    /** @return the plot that draws this scorer, which in turn needs the scorer */
    public static Class<?> drawnBy() {
        return io.propensitykit.plot.planted.PlotOfAScorer.class;
    }
}
