package io.propensitykit.plot.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: the other half of a package cycle, plot to spark. */
public final class PlotOfAScorer {

    private PlotOfAScorer() {}

    /** @return the scorer this plot draws, which in turn draws with this plot */
    public static Class<?> draws() {
        return io.propensitykit.spark.planted.ScorerDrawing.class;
    }
}
