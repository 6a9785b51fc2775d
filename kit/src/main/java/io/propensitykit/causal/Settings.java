package io.propensitykit.causal;

/** The check every computation of this package makes of its required settings before it runs. */
final class Settings {

    private Settings() {}

    /**
     * A required setting, or an error that names it and the call that sets it.
     *
     * @param value the setting, null when it was never set
     * @param what what it names, for the message ("the treatment column")
     * @param setter the call that sets it, with an example ({@code setTreatment("treated")})
     * @return the value
     */
    static String required(String value, String what, String setter) {
        if (value == null) {
            throw new IllegalStateException("Name " + what + " first, for example " + setter + ".");
        }
        return value;
    }
}
