package io.propensitykit.model;

import java.util.Locale;

/** What the model's single output means: a probability already, or a logit the kit passes through a sigmoid. */
public enum OutputKind {
    /** The model returns P(y = 1) in [0, 1]. */
    PROBABILITY,
    /** The model returns log(p / (1 - p)); the kit applies the sigmoid. */
    LOGIT;

    /**
     * Parses the metadata spelling, {@code "probability"} or {@code "logit"}.
     *
     * @param text the value of the metadata field {@code output}
     * @return the kind
     */
    public static OutputKind parse(String text) {
        for (OutputKind kind : values()) {
            if (kind.jsonName().equals(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException(
                "Unknown output kind '" + text + "': use \"probability\" or \"logit\".");
    }

    /**
     * Returns the spelling used in the metadata JSON.
     *
     * @return {@code "probability"} or {@code "logit"}
     */
    public String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
