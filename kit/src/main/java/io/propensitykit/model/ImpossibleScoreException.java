package io.propensitykit.model;

/**
 * A model returned a score that cannot be a propensity (outside [0, 1], or NaN from finite
 * inputs). Raised for every batch, so that no such score is ever written.
 */
public final class ImpossibleScoreException extends PropensityModelException {

    private static final long serialVersionUID = 1L;

    private final int row;

    ImpossibleScoreException(String message, int row) {
        super(message);
        this.row = row;
    }

    /** @return the offending row's index in its batch */
    public int row() {
        return row;
    }
}
