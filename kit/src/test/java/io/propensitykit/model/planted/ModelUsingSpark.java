package io.propensitykit.model.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: a model class that uses Spark's front end. */
public final class ModelUsingSpark {

    private ModelUsingSpark() {}

    /** @return a class of the spark package */
    public static Object policy() {
        return io.propensitykit.spark.HandleInvalid.ERROR;
    }
}
