package io.propensitykit.explain.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: a result that needs the Spark front end to exist. */
public final class ResultScoredOnSpark {

    private ResultScoredOnSpark() {}

    /** @return the scorer this result is made by */
    public static Class<?> scoredBy() {
        return io.propensitykit.spark.planted.ScorerDrawing.class;
    }
}
