package io.propensitykit.cli;

import org.apache.spark.sql.AnalysisException;

import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a picocli command with the rules every {@code kit} command follows: {@code --help};
 * unknown options and bad numbers refused at parse time with the usage, naming the flag; exit
 * codes 0 for success, 1 for failure, 2 for usage; and one line per error, the stack trace only
 * with {@code --verbose}.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     Cli.exit(new ScoreJob(), args);
 * }
 * }</pre>
 */
public final class Cli {

    /** Exit status of a successful command. */
    public static final int OK = 0;
    /** Exit status of a command that failed. */
    public static final int FAILED = 1;
    /** Exit status of a command-line mistake. */
    public static final int USAGE = 2;

    private Cli() {}

    /**
     * A command that takes some of the library's settings as flags. The library's messages name
     * the setting a notebook user calls ({@code optHandleInvalid("skip")}); the command's errors
     * name its flag instead ({@code --handle-invalid skip}).
     */
    public interface SettingFlags {
        /**
         * Each setting as the library's messages write it, with the flag that does the same.
         *
         * @return setting text to flag text
         */
        Map<String, String> settingFlags();
    }

    /**
     * Runs the command and exits the JVM with its status.
     *
     * @param command a picocli {@code @Command} object
     * @param args the command line
     */
    public static void exit(Object command, String... args) {
        System.exit(execute(command, System.out, System.err, args));
    }

    /**
     * Runs the command without exiting.
     *
     * @param command a picocli {@code @Command} object
     * @param out where help and results go
     * @param err where errors go
     * @param args the command line
     * @return the exit status: {@link #OK}, {@link #FAILED} or {@link #USAGE}
     */
    public static int execute(Object command, PrintStream out, PrintStream err, String... args) {
        CommandLine cl = new CommandLine(command);
        String name = cl.getCommandName();
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setOverwrittenOptionsAllowed(false);
        cl.setExitCodeExceptionMapper(e -> e instanceof ParameterException ? USAGE : FAILED);
        cl.setParameterExceptionHandler((e, argv) -> {
            err.println(name + ": " + usageLine(e));
            // The synopsis, not the whole help: the line above says what is wrong.
            CommandLine.Help help = e.getCommandLine().getHelp();
            err.print(help.synopsisHeading() + help.synopsis(help.synopsisHeadingLength()));
            err.println("Run '" + name + " --help' for every option.");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            String line = reason(e);
            if (command instanceof SettingFlags flags) {
                for (Map.Entry<String, String> setting : flags.settingFlags().entrySet()) {
                    line = line.replace(setting.getKey(), setting.getValue());
                }
            }
            err.println(name + ": error: " + line);
            if (parsed.hasMatchedOption("--verbose")) {
                e.printStackTrace(err);
            }
            return FAILED;
        });
        return cl.execute(args);
    }

    /**
     * A command-line mistake found after parsing (a value out of range, two options that exclude
     * each other): reported with the usage and status {@link #USAGE}.
     *
     * @param spec the command's spec
     * @param message what is wrong and which flag fixes it
     * @return the exception to throw
     */
    public static ParameterException usage(CommandSpec spec, String message) {
        return new ParameterException(spec.commandLine(), message);
    }

    /**
     * Checks that a number given for a flag is positive.
     *
     * @param spec the command's spec
     * @param option the flag, for the message
     * @param value the value
     * @return the value
     */
    public static long positive(CommandSpec spec, String option, long value) {
        if (value <= 0) {
            throw usage(spec, "Invalid value for option '" + option + "': " + value + " is not a positive number");
        }
        return value;
    }

    /**
     * Turns a failure into one line: the kit's own message where there is one, a hint for the
     * file-system failures users meet most, else Spark's or the root cause's message.
     *
     * @param e the failure
     * @return one line, no stack trace
     */
    public static String reason(Throwable e) {
        return cause(e) + executor(e);
    }

    private static String cause(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String hint = hint(t);
            if (hint != null) {
                return hint;
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            boolean own = t.getClass().getName().startsWith("io.propensitykit.")
                    || t instanceof IllegalArgumentException;
            if (own && t.getMessage() != null) {
                return firstLine(t.getMessage());
            }
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof AnalysisException a) {
            return firstLine(a.getSimpleMessage());
        }
        return firstLine(root.getMessage() == null ? root.toString() : root.getMessage());
    }

    /**
     * Spark's stage failure names where the last attempt ran: "Lost task 0.3 in stage 1.0 (TID 7)
     * (127.0.0.1 executor 1): ...". On a cluster, that executor is where to look.
     */
    private static final Pattern LOST_TASK =
            Pattern.compile("Lost task \\S+ in stage \\S+ \\(TID \\d+\\) \\((\\S+) executor (\\w+)\\)");

    private static String executor(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            Matcher m = LOST_TASK.matcher(String.valueOf(t.getMessage()));
            if (m.find() && !m.group(2).equals("driver")) {
                return " [on executor " + m.group(2) + " at " + m.group(1) + "]";
            }
        }
        return "";
    }

    /** The kit's hint for file-system failures whose own messages do not say what to do. */
    private static String hint(Throwable t) {
        if (t instanceof UnknownHostException) {
            return "Unknown host '" + t.getMessage() + "' in a path: check the host name of the hdfs:// or"
                    + " s3a:// URI, and that its server is reachable from here.";
        }
        // Hadoop's Configuration.getClass: "Class org.apache.hadoop.fs.s3a.S3AFileSystem not found".
        if (t instanceof ClassNotFoundException && String.valueOf(t.getMessage()).contains("S3AFileSystem")) {
            return "s3a:// paths need Hadoop's S3A file system: add org.apache.hadoop:hadoop-aws (the version of"
                    + " Hadoop in Spark) and its AWS SDK to spark.jars, or copy the files locally first.";
        }
        // S3A's 403 and NoSuchBucket, whose own messages carry the AWS SDK's whole response.
        if (t instanceof AccessDeniedException denied && String.valueOf(denied.getFile()).startsWith("s3a://")) {
            return "Access denied to " + denied.getFile() + " (HTTP 403): check the S3 credentials"
                    + " (spark.hadoop.fs.s3a.access.key and secret.key, or fs.s3a.bucket.BUCKET.* for one bucket)"
                    + " and the bucket's policy.";
        }
        // Spark's message names the file, but its cause, which the kit would show, does not.
        Matcher convert = PARQUET_TYPE.matcher(String.valueOf(t.getMessage()));
        if (convert.find()) {
            return "Column '" + convert.group(2) + "' is " + convert.group(3) + " in the input's schema, but "
                    + convert.group(4) + " in the file " + convert.group(1) + ": the input's files disagree on its"
                    + " type. Rewrite that file with the same types as the others, or leave it out of the input.";
        }
        if (t.getClass().getName().equals("org.apache.hadoop.fs.s3a.UnknownStoreException")) {
            Matcher uri = S3A_URI.matcher(String.valueOf(t.getMessage()));
            String where = uri.find() ? uri.group() : "the s3a:// path";
            return "No such bucket for " + where + ": check the bucket's name, and that spark.hadoop.fs.s3a.endpoint"
                    + " is the store that holds it.";
        }
        return null;
    }

    /** Spark 3.5's _LEGACY_ERROR_TEMP_2063, for a Parquet file whose column has another type. */
    private static final Pattern PARQUET_TYPE = Pattern.compile(
            "Parquet column cannot be converted in file (\\S+)\\. Column: \\[([^\\]]+)\\],"
                    + " Expected: ([^,\\s]+), Found: ([^.\\s]+)");

    private static final Pattern S3A_URI = Pattern.compile("s3a://[^\\s'`]+");

    /**
     * The one line of a command-line mistake. A missing option found while an unknown word was also
     * typed names the unknown word first, with picocli's suggestion: a typo ({@code --modle}) is
     * usually why the option is missing.
     */
    private static String usageLine(ParameterException e) {
        String line = firstLine(e.getMessage());
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        if (e instanceof UnmatchedArgumentException || unmatched.isEmpty()) {
            return line;
        }
        List<String> suggestions = new UnmatchedArgumentException(e.getCommandLine(), unmatched).getSuggestions();
        return "Unknown option or argument: '" + String.join("', '", unmatched) + "'"
                + (suggestions.isEmpty() ? "" : " (did you mean " + String.join(" or ", suggestions) + "?)")
                + "; " + Character.toLowerCase(line.charAt(0)) + line.substring(1);
    }

    private static String firstLine(String text) {
        String t = text.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }
}
