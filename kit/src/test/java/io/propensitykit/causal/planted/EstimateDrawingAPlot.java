package io.propensitykit.causal.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: a causal class that draws. */
public final class EstimateDrawingAPlot {

    private EstimateDrawingAPlot() {}

    /** @return a class of the plot package */
    public static Class<?> plot() {
        return io.propensitykit.plot.Plot.class;
    }
}
