package io.propensitykit.model;

/**
 * A model could not be loaded or could not score: the message names the model, what was expected
 * and what was found.
 */
public class PropensityModelException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, where, and how to fix it
     */
    public PropensityModelException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message what went wrong, where, and how to fix it
     * @param cause the underlying failure
     */
    public PropensityModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
