package io.propensitykit.internal.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: a shared piece that reaches up into metrics. */
public final class InternalUsingMetrics {

    private InternalUsingMetrics() {}

    /** @return a class of the metrics package */
    public static Class<?> metrics() {
        return io.propensitykit.metrics.Deciles.class;
    }
}
