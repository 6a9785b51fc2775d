package io.propensitykit.spark;

import java.util.Locale;

/**
 * What scoring does with a row whose features are null, NaN, infinite or of the wrong width,
 * following Spark ML's {@code handleInvalid} contract.
 */
public enum HandleInvalid {
    /** Fail the job with a message naming the column, the value and this setting (the default). */
    ERROR,
    /** Drop the row and count it. */
    SKIP,
    /** Keep the row with a null score. */
    KEEP;

    /**
     * Parses {@code "error"}, {@code "skip"} or {@code "keep"}, as Spark ML spells them.
     *
     * @param text the setting
     * @return the mode
     */
    public static HandleInvalid parse(String text) {
        for (HandleInvalid mode : values()) {
            if (mode.sparkName().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException(
                "handleInvalid is '" + text + "': use \"error\", \"skip\" or \"keep\".");
    }

    /** @return the Spark ML spelling */
    public String sparkName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return every policy's Spark ML name, for a Param validator */
    public static java.util.List<String> sparkNames() {
        return java.util.Arrays.stream(values()).map(HandleInvalid::sparkName).toList();
    }
}
