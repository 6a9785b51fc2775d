package io.propensitykit.data.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: a kit class that reaches into the runner. */
public final class DataUsingTheRunner {

    private DataUsingTheRunner() {}

    /** @return a class of the runner */
    public static Class<?> runner() {
        return io.propensitykit.notebook.planted.RunnerPart.class;
    }
}
