package io.propensitykit.spark;

/**
 * A row's features could not be scored under {@code handleInvalid=error}: the message names the
 * column, the value and the setting that lets the job go on.
 */
public class InvalidFeaturesException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message the column, the value, and the setting that fixes it
     */
    public InvalidFeaturesException(String message) {
        super(message);
    }
}
