package io.propensitykit.model;

/**
 * Why one raw value cannot go into the model: which feature, the value, and the reason. Every
 * front end (batched scorer, SQL function, Transformer, {@link PropensityModel#predict}) gets its
 * problems from the one {@link FeatureEncoder} and words them with {@link #describe(String)}.
 *
 * @param feature the raw feature's index, in the model's feature order
 * @param value the offending value: null for a null, a {@link Width} for {@link Reason#WRONG_WIDTH}
 * @param reason why it cannot be encoded
 */
public record FeatureProblem(int feature, Object value, Reason reason) {

    /** The reasons a value cannot be encoded. */
    public enum Reason {
        /** Null in a numeric feature that had no nulls in training (so no missing indicator). */
        NULL,
        /** NaN or infinite. */
        NOT_FINITE,
        /** At or below -1 in a feature the model takes {@code log1p} of. */
        OUTSIDE_LOG1P,
        /** Finite, but beyond the float32 range once standardized. */
        OVERFLOW,
        /** Text in a numeric feature. */
        NOT_A_NUMBER,
        /** A row (an array column) holding the wrong number of values. */
        WRONG_WIDTH
    }

    /**
     * Words the problem for an error message.
     *
     * @param subject what holds the value, for example {@code column 'recency'}
     * @return for example {@code column 'recency' is NaN}
     */
    public String describe(String subject) {
        return subject + switch (reason) {
            case NULL -> " is null";
            case NOT_FINITE -> " is " + value;
            case OUTSIDE_LOG1P -> " is " + value + ", which the model's log1p transform cannot take (it needs > -1)";
            case OVERFLOW -> " is " + value + ", which overflows the model's float32 input once standardized";
            case NOT_A_NUMBER -> " is '" + value + "', text where the model takes a number";
            case WRONG_WIDTH -> " holds " + value;
        };
    }

    /**
     * How many values a row held, and how many the model takes.
     *
     * @param found the values in the row
     * @param expected the model's feature count
     */
    public record Width(int found, int expected) {
        @Override
        public String toString() {
            return found + " values, not " + expected;
        }
    }
}
