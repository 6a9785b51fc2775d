package io.propensitykit.spark.planted;

import org.apache.spark.ml.classification.LogisticRegression;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: library code that builds an MLlib estimator. */
public final class ScorerFittingMllib {

    private ScorerFittingMllib() {}

    /** @return a logistic regression, which only the benchmark may build */
    public static LogisticRegression baseline() {
        return new LogisticRegression().setMaxIter(5);
    }
}
