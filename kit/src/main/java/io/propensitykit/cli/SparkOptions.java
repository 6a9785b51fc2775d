package io.propensitykit.cli;

import picocli.CommandLine.Option;

/**
 * The options every Spark command of the kit takes, as a picocli mixin: where Spark runs, and
 * whether a failure prints its stack trace ({@link Cli} reads {@code --verbose}).
 *
 * <pre>{@code
 * @Mixin
 * private SparkOptions sparkOptions;
 * ...
 * SparkApp.start("kit score", sparkOptions.master());
 * }</pre>
 */
public final class SparkOptions {

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default local[*], or the session spark-submit or a notebook started)")
    private String master;

    @Option(names = "--verbose", description = "print the full stack trace of a failure")
    private boolean verbose;

    /** @return the master given with {@code --master}, or null for the running session's or {@code local[*]} */
    public String master() {
        return master;
    }
}
