package io.propensitykit.spark.planted;

/** Breaks a house rule on purpose, for {@code HouseRulesTest}: a library class that reaches up into the commands. */
public final class ScorerCallingTheCommand {

    private ScorerCallingTheCommand() {}

    /**
     * @param e a failure
     * @return the failure as a command prints it
     */
    public static String asTheCommandSaysIt(Exception e) {
        return io.propensitykit.cli.Cli.reason(e);
    }
}
