package io.propensitykit.plot.planted;

/**
 * Breaks two house rules on purpose, for {@code HouseRulesTest}: a plot class that draws the results of
 * two packages, one of which depends on the Spark front end.
 */
public final class PlotOfEverything {

    private PlotOfEverything() {}

    /** @return the results it draws */
    public static Class<?>[] draws() {
        return new Class<?>[] {io.propensitykit.explain.planted.ResultScoredOnSpark.class,
            io.propensitykit.causal.planted.EstimateDrawingAPlot.class};
    }
}
