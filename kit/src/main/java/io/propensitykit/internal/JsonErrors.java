package io.propensitykit.internal;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a JSON text goes wrong, in the kit's words: Gson's parse errors end in advice meant for
 * programmers ({@code setStrictness(LENIENT)}, a troubleshooting link); a user needs the position.
 */
public final class JsonErrors {

    private static final Pattern POSITION = Pattern.compile("line \\d+ column \\d+");

    private JsonErrors() {}

    /**
     * The position of a parse error.
     *
     * @param e the error Gson threw
     * @return {@code " (it goes wrong at line L column C)"}, or "" when the message holds no position
     */
    public static String position(Exception e) {
        Matcher at = POSITION.matcher(String.valueOf(e.getMessage()));
        return at.find() ? " (it goes wrong at " + at.group() + ")" : "";
    }
}
