package io.propensitykit.notebook;

import io.propensitykit.cli.Cli;
import io.propensitykit.cli.KitVersion;
import io.propensitykit.cli.OutputPaths;
import io.propensitykit.display.Formats;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code kit run}: reruns Zeppelin notes without a server and writes, for each note, the executed
 * {@code .zpln} and a self-contained HTML report.
 *
 * <pre>
 * kit/bin/kit run notebooks/
 * kit/bin/kit run notebooks/02-score.zpln -p rows=100000 -p segment=web --out reports/
 * </pre>
 *
 * <p>With {@code --server URL} the notes run on a Zeppelin server instead ({@link ServerRunner}), and
 * the same files are written from what the server holds.
 *
 * <p>Each note gets its own Spark application and REPL. The exit status is 0 when every paragraph
 * of every note ran, 1 when one failed, 2 for a usage error, and 3 when {@code --fail-on-change}
 * found a change larger than it allows (a failed paragraph's 1 comes first). The report and the
 * executed note are written however the run ends: a paragraph that fails or times out, a signal,
 * or {@code sys.exit} in a note's code.
 */
@Command(name = "kit run", mixinStandardHelpOptions = true, versionProvider = KitVersion.class, sortOptions = false,
        description = "Reruns Zeppelin notes headless: an executed .zpln and an HTML report per note.")
public final class RunCommand implements Callable<Integer> {

    /** The run's index page in {@code --out}, listing every report. */
    static final String INDEX = "index.html";

    /** What {@code --compare} found, every change of every note, in {@code --out}. */
    static final String CHANGES = "changes.json";

    /** Exit status when {@code --fail-on-change} finds a larger change. */
    static final int CHANGED = 3;

    /** A number this close to its earlier value, in its own units, is the same whatever the relative tolerance. */
    static final double ABSOLUTE_TOLERANCE = 1e-12;

    /** The default paragraph timeout of {@code kit run}: generous, for the heaviest notes on 2 cores. */
    static final long DEFAULT_TIMEOUT_SECONDS = 1800;

    @Spec
    private CommandSpec spec;

    @Parameters(paramLabel = "NOTE.zpln|DIR", arity = "1..*",
            description = "notes to run; a directory runs its *.zpln files in name order")
    private List<Path> paths;

    @Option(names = {"-p", "--param"}, paramLabel = "name=value",
            description = "a value for a form (z.textbox, z.select, z.checkbox) or a %%sql $${template}")
    private Map<String, String> params = new LinkedHashMap<>();

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "reports",
            description = "where the executed notes and HTML reports go (default ${DEFAULT-VALUE})")
    private Path out;

    @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: the note's %%spark.conf,"
            + " else local[*])")
    private String master;

    @Option(names = "--conf", paramLabel = "k=v", description = "a Spark setting, overriding the notes' %%spark.conf")
    private Map<String, String> conf = new LinkedHashMap<>();

    @Option(names = "--keep-going", description = "run the paragraphs after a failing one instead of stopping")
    private boolean keepGoing;

    @Option(names = "--overwrite", description = "replace the report of another note that has the same file name"
            + " in --out (a rerun of the same note always replaces its own)")
    private boolean overwrite;

    private long timeout = DEFAULT_TIMEOUT_SECONDS;

    @Option(names = "--server", paramLabel = "URL", description = "run the notes on this Zeppelin server"
            + " (http://host:port) through its REST API, with its Spark interpreter, instead of the embedded Spark;"
            + " the same reports")
    private java.net.URI server;

    @Option(names = "--spark-jars", paramLabel = "JAR", description = "with --server: the kit's -all jar as the"
            + " server sees it (an absolute path), set as spark.jars in each note's %%spark.conf paragraph")
    private String sparkJars;

    @Option(names = "--user", paramLabel = "NAME", description = "with --server: log in as this Shiro user; the"
            + " password comes from the environment variable --password-env names, never the command line")
    private String user;

    @Option(names = "--password-env", paramLabel = "VAR", defaultValue = "ZEPPELIN_PASSWORD",
            description = "with --user: the environment variable that holds the password (default ${DEFAULT-VALUE})")
    private String passwordEnv;

    @Option(names = "--keep-note", description = "with --server: leave the imported note on the server")
    private boolean keepNote;

    @Option(names = "--restart-timeout", paramLabel = "SECONDS", defaultValue = "300", description = "with --server:"
            + " how long the Spark interpreter's restart may take (default ${DEFAULT-VALUE})")
    private long restartTimeout;

    /** How often a paragraph running on a server is polled, in milliseconds; tests shorten it. */
    private final long pollMillis = Long.getLong("kit.run.pollMillis", 500);

    @Option(names = "--compare", paramLabel = "PREVIOUS_OUT", description = "compare each note's results with its"
            + " executed copy in an earlier run's --out (this --out too): each report starts with what changed, and"
            + " " + CHANGES + " in --out lists every change")
    private Path compare;

    private double tolerance = 1e-9;

    private Double failOnChange;

    @Option(names = "--verbose", description = "print the full stack trace of a failure")
    private boolean verbose;

    private final PrintStream console;

    /** A run that reports on standard output. */
    public RunCommand() {
        this(System.out);
    }

    RunCommand(PrintStream console) {
        this.console = console;
    }

    @Option(names = "--tolerance", paramLabel = "REL", description = "with --compare: a number that moved by no more"
            + " than this, relative to its earlier value, counts as unchanged (default 1e-9)")
    void tolerance(double relative) {
        if (!(relative >= 0)) {
            throw Cli.usage(spec, "Invalid value for option '--tolerance': " + relative + "; give a relative"
                    + " tolerance of 0 or more, for example 1e-6");
        }
        this.tolerance = relative;
    }

    @Option(names = "--fail-on-change", paramLabel = "REL", description = "with --compare: exit with status " + CHANGED
            + " when a number moved by more than REL relative to the earlier run (0.05 = 5%%), or when a paragraph's"
            + " status, a table row, a chart series or a text changed")
    void failOnChange(double relative) {
        if (!(relative >= 0)) {
            throw Cli.usage(spec, "Invalid value for option '--fail-on-change': " + relative + "; give a relative"
                    + " move of 0 or more, for example 0.05 for 5%");
        }
        this.failOnChange = relative;
    }

    @Option(names = "--paragraph-timeout", paramLabel = "SECONDS",
            description = "a paragraph running longer ends as ERROR and its Spark jobs are cancelled; 0 for no limit"
                    + " (default " + DEFAULT_TIMEOUT_SECONDS + ")")
    void timeout(long seconds) {
        if (seconds < 0) {
            throw Cli.usage(spec, "Invalid value for option '--paragraph-timeout': " + seconds
                    + " is negative; give seconds, or 0 for no limit");
        }
        this.timeout = seconds;
    }

    /**
     * Runs the command and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        Cli.exit(new RunCommand(), args);
    }

    /**
     * Runs the command in this JVM, as {@link #main} does, without exiting.
     *
     * @param args the command line
     * @param console where progress, help and errors go
     * @return the exit status
     */
    static int run(String[] args, PrintStream console) {
        return Cli.execute(new RunCommand(console), console, console, args);
    }

    @Override
    public Integer call() throws IOException {
        RunOptions options = options();
        Files.createDirectories(options.out());
        // Found now, not after the first note has run for minutes.
        OutputPaths.requireWritableDirectory("--out", options.out().toString(), options.out());
        String kitVersion = KitVersion.kit();
        // Read before anything is written: PREVIOUS_OUT may be this --out.
        Map<Path, JsonObject> previous = previousNotes(options.notes());
        ServerRunner.Server serverRun = server == null ? null : new ServerRunner.Server(
                new ZeppelinClient(server, java.time.Duration.ofSeconds(60)), user, user == null ? null
                        : System.getenv(passwordEnv), sparkJars, java.time.Duration.ofSeconds(restartTimeout),
                keepNote, pollMillis);
        Comparisons comparisons = compare == null ? null : new Comparisons(compare, tolerance);
        int failedNotes = 0;
        boolean changedTooMuch = false;
        for (Path file : options.notes()) {
            Note note = Note.read(file);
            console.printf("%s (%d paragraphs)%n", note.name(), note.paragraphs().size());
            NoteExecution runner = serverRun == null ? new NoteRunner(note, options, console)
                    : new ServerRunner(note, options, serverRun, console);
            Path zpln = options.out().resolve(note.baseName() + ".zpln");
            Path html = options.out().resolve(note.baseName() + ".html");
            // A signal or sys.exit in a paragraph ends the JVM: the hook still leaves the report.
            Thread hook = new Thread(() -> {
                String exitedIn = runner.exitCalledByNote();
                write(runner.snapshot(), zpln, html, kitVersion);
                String index = "";
                try {
                    writeIndex(options.out(), kitVersion);
                    index = " and " + options.out().resolve(INDEX);
                } catch (IOException | RuntimeException e) {
                    index = " (the index could not be written: " + e.getMessage() + ")";
                }
                System.err.println("kit run: stopped while running " + note.name() + "; report written to " + html
                        + index);
                // After the report, which must not wait on a server that does not answer.
                runner.abandon();
                if (exitedIn != null) {
                    // sys.exit(0) would otherwise end a failed run with status 0. halt is the one way a
                    // hook can set the status; it skips the hooks still running (Spark's temp files).
                    System.err.println("kit run: paragraph " + exitedIn + " of " + note.name() + " called sys.exit;"
                            + " the run failed, exit status " + Cli.FAILED);
                    System.err.flush();
                    Runtime.getRuntime().halt(Cli.FAILED);
                }
            }, "kit-run-report");
            Runtime.getRuntime().addShutdownHook(hook);
            NoteRunner.Outcome outcome;
            try {
                outcome = runner.run();
            } catch (RuntimeException | Error e) {
                removeHook(hook);
                throw e;
            }
            if (!removeHook(hook)) {
                // A signal: the hook writes the report and says so; this thread has nothing to add.
                return Cli.FAILED;
            }
            HtmlReport.Compared compared = null;
            if (compare != null && previous.get(file) == null) {
                console.printf("%s: no earlier run of this note in %s; nothing to compare%n", note.name(), compare);
            } else if (compare != null) {
                NoteComparison.Result result = NoteComparison.compare(previous.get(file),
                        JsonParser.parseString(note.toJson()).getAsJsonObject(),
                        new NoteComparison.Tolerance(tolerance, ABSOLUTE_TOLERANCE));
                note.setComparison(compare.toString(), result.changes().size());
                compared = new HtmlReport.Compared(result, compare.toString(), tolerance);
                comparisons.add(note, html.getFileName().toString(), result);
                comparisons.write(options.out().resolve(CHANGES));
                console.println(summary(note, result));
                changedTooMuch |= failOnChange != null && result.largestMove() > failOnChange;
            }
            write(outcome, zpln, html, kitVersion, compared);
            // Rewritten after each note, so that a run cut short still lists what it finished; it lists
            // the reports of earlier runs into the same folder too.
            List<ReportIndex.Entry> reports = writeIndex(options.out(), kitVersion);
            // The note just written is among them: its entry says whether it had nothing to do.
            String idle = reports.stream().filter(r -> r.report().equals(html.getFileName().toString()))
                    .map(ReportIndex.Entry::nothingToDo).filter(java.util.Objects::nonNull).findFirst().orElse(null);
            console.printf(Locale.ROOT, "%s: %s, %d paragraphs ran, %d failed, %d not run, %.1f s -> %s%n",
                    note.name(), !outcome.ok() ? "FAILED" : idle != null ? "ok, nothing to do (" + idle + ")" : "ok",
                    outcome.ran(), outcome.failed(), outcome.notRun(), outcome.elapsed().toMillis() / 1000.0, html);
            for (String name : options.params().keySet()) {
                if (!outcome.paramsUsed().containsKey(name)) {
                    console.printf("%s: note: -p %s matched no form in this note%n", note.name(), name);
                }
            }
            if (!outcome.ok()) {
                failedNotes++;
            }
        }
        if (options.notes().size() > 1) {
            console.printf("%d notes, %d failed; index %s%n", options.notes().size(), failedNotes,
                    options.out().resolve(INDEX));
        }
        if (failedNotes > 0) {
            return Cli.FAILED;
        }
        if (changedTooMuch) {
            console.printf(Locale.ROOT, "kit run: a result changed by more than --fail-on-change %s since %s (%s);"
                    + " exit status %d%n", HtmlReport.tolerance(failOnChange), compare,
                    options.out().resolve(CHANGES), CHANGED);
            return CHANGED;
        }
        return Cli.OK;
    }

    /** One line per compared note: how many changes, and the first of them. */
    /**
     * Removes the report hook once its note has run.
     *
     * @return false when the JVM is shutting down (a signal): then the hook runs, or has run
     */
    private static boolean removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            return true;
        } catch (IllegalStateException shuttingDown) {
            return false;
        }
    }

    private static String summary(Note note, NoteComparison.Result result) {
        String since = result.previousStarted() == null ? "" : " since the run of "
                + result.previousStarted().format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss",
                        Locale.ROOT));
        if (result.changes().isEmpty()) {
            return note.name() + ": no change" + since + (result.paramsDiffer() ? ", though the form values differ" : "");
        }
        NoteComparison.Change first = result.changes().get(0);
        return note.name() + ": " + result.changes().size() + (result.changes().size() == 1 ? " change" : " changes")
                + since + (result.paramsDiffer() ? " (other form values)" : "") + "; first: ["
                + (first.paragraph() + 1) + "] " + first.paragraphLabel() + ", " + first.location() + ": "
                + (first.before() == null ? "none" : first.before()) + " -> " + (first.after() == null ? "none"
                        : first.after()) + " (" + HtmlReport.move(first) + ")";
    }

    /** Each note's executed copy in PREVIOUS_OUT, where there is one. */
    private Map<Path, JsonObject> previousNotes(List<Path> notes) {
        Map<Path, JsonObject> out = new LinkedHashMap<>();
        if (compare == null) {
            return out;
        }
        for (Path note : notes) {
            Path executed = compare.resolve(Note.baseName(note) + ".zpln");
            if (!Files.isRegularFile(executed)) {
                continue;
            }
            try {
                out.put(note, JsonParser.parseString(Files.readString(executed, StandardCharsets.UTF_8))
                        .getAsJsonObject());
            } catch (IOException | RuntimeException unreadable) {
                throw Cli.usage(spec, "--compare " + compare + ": " + executed.getFileName() + " is not an executed"
                        + " note that can be read (" + Formats.oneLine(String.valueOf(unreadable.getMessage()))
                        + "); give the --out folder of an earlier kit run");
            }
        }
        return out;
    }

    /** Rebuilds {@code index.html} from every executed note in {@code out}. */
    private static List<ReportIndex.Entry> writeIndex(Path out, String kitVersion) throws IOException {
        List<ReportIndex.Entry> reports = ReportIndex.scan(out);
        Files.writeString(out.resolve(INDEX), HtmlReport.index(reports, kitVersion), StandardCharsets.UTF_8);
        return reports;
    }

    private static void write(NoteRunner.Outcome outcome, Path zpln, Path html, String kitVersion) {
        write(outcome, zpln, html, kitVersion, null);
    }

    private static void write(NoteRunner.Outcome outcome, Path zpln, Path html, String kitVersion,
            HtmlReport.Compared compared) {
        try {
            Files.writeString(zpln, outcome.note().toJson(), StandardCharsets.UTF_8);
            Files.writeString(html, HtmlReport.render(outcome, kitVersion, compared), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write the report " + html, e);
        }
    }

    /** The notes to run and where their outputs go, checked before anything runs or is written. */
    RunOptions options() throws IOException {
        List<Path> notes = new ArrayList<>();
        for (Path path : paths) {
            notes.addAll(expand(path));
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw Cli.usage(spec, "--out " + out + " is a file; give a directory for the reports");
        }
        Set<String> names = new HashSet<>();
        for (Path note : notes) {
            String name = note.getFileName().toString();
            if (name.equals("index.zpln")) {
                throw Cli.usage(spec, note + ": a note named index.zpln would write its report over the run's "
                        + INDEX + "; rename the note.");
            }
            if (!names.add(name)) {
                throw Cli.usage(spec, "two notes are named " + name + "; their reports would overwrite each other in"
                        + " --out. Run them into different --out directories.");
            }
        }
        for (Path note : notes) {
            Path executed = out.resolve(note.getFileName().toString());
            if (Files.exists(executed) && Files.isSameFile(executed, note)) {
                throw Cli.usage(spec, "--out " + out + " holds the notes being run: the executed notes would replace"
                        + " them. Choose another --out.");
            }
        }
        if (!overwrite) {
            for (Path note : notes) {
                String other = otherNoteIn(out, note);
                if (other != null) {
                    throw Cli.usage(spec, "--out " + out + " holds the report of another note with the file name "
                            + note.getFileName() + " (" + other + "); running " + note + " would replace it. Pass"
                            + " --overwrite to replace it, or choose another --out.");
                }
            }
        }
        if (server == null && (sparkJars != null || user != null || keepNote)) {
            throw Cli.usage(spec, "--spark-jars, --user and --keep-note go with --server URL");
        }
        if (server != null) {
            if (!List.of("http", "https").contains(String.valueOf(server.getScheme())) || server.getHost() == null) {
                throw Cli.usage(spec, "--server " + server + ": give the Zeppelin server's address as http://host:port");
            }
            if (master != null || !conf.isEmpty()) {
                throw Cli.usage(spec, "--master and --conf set the embedded Spark; with --server the notes run with"
                        + " the server's Spark interpreter settings (and the note's %%spark.conf)");
            }
            if (sparkJars != null && !Path.of(sparkJars).isAbsolute()) {
                throw Cli.usage(spec, "--spark-jars " + sparkJars + ": give the jar's absolute path as the server"
                        + " sees it");
            }
            if (user != null && (System.getenv(passwordEnv) == null || System.getenv(passwordEnv).isEmpty())) {
                throw Cli.usage(spec, "--user " + user + ": set the password in the environment variable "
                        + passwordEnv + " (or name another with --password-env); it is never read from the command"
                        + " line");
            }
            if (restartTimeout <= 0) {
                throw Cli.usage(spec, "--restart-timeout " + restartTimeout + ": give seconds, more than 0");
            }
        }
        if (failOnChange != null && compare == null) {
            throw Cli.usage(spec, "--fail-on-change needs --compare PREVIOUS_OUT: the earlier run to compare with");
        }
        if (compare != null && !Files.isDirectory(compare)) {
            throw Cli.usage(spec, "--compare " + compare + " is not a folder; give the --out folder of an earlier kit"
                    + " run");
        }
        if (compare != null) {
            for (Path note : notes) {
                try {
                    NoteComparison.notePatterns(JsonParser.parseString(Files.readString(note)).getAsJsonObject());
                } catch (IllegalArgumentException e) {
                    throw Cli.usage(spec, note + ": " + e.getMessage());
                } catch (RuntimeException unreadable) {
                    // A note that cannot be read fails when it runs, in its own words.
                }
            }
        }
        for (Map.Entry<String, String> p : params.entrySet()) {
            if (p.getKey().isBlank()) {
                throw Cli.usage(spec, "-p takes name=value, got '=" + p.getValue() + "'");
            }
            // Zeppelin's forms take one line; a line break in a value printed by a note would start a
            // line of its own, where %html switches the output type.
            if (p.getValue().codePoints().anyMatch(c -> c == '\n' || c == '\r')) {
                throw Cli.usage(spec, "-p " + p.getKey() + ": a form value is one line, as in Zeppelin's forms; got '"
                        + Formats.oneLine(p.getValue()) + "'");
            }
        }
        return new RunOptions(notes, params, out, master, conf, keepGoing, timeout);
    }

    /**
     * Whether {@code out} holds the outputs of a note other than {@code note} under the same file name:
     * an executed note of another id (or, without ids, another name), or a report without its note.
     *
     * @return that other note's words, or null when there is none or it is this note's own
     */
    private static String otherNoteIn(Path out, Path note) {
        String base = Note.baseName(note);
        Path executed = out.resolve(base + ".zpln");
        Path report = out.resolve(base + ".html");
        if (!Files.exists(executed)) {
            return Files.exists(report) ? "a report " + report.getFileName() + " whose executed note is not beside it"
                    : null;
        }
        try {
            JsonObject theirs = JsonParser.parseString(Files.readString(executed)).getAsJsonObject();
            JsonObject ours = JsonParser.parseString(Files.readString(note)).getAsJsonObject();
            String key = theirs.has("id") && ours.has("id") ? "id" : "name";
            if (String.valueOf(theirs.get(key)).equals(String.valueOf(ours.get(key)))) {
                return null;
            }
            return "note '" + Formats.oneLine(theirs.has("name") ? theirs.get("name").getAsString() : "?") + "', "
                    + key + " " + Formats.oneLine(theirs.get(key).isJsonPrimitive() ? theirs.get(key).getAsString()
                            : theirs.get(key));
        } catch (IOException | RuntimeException unreadable) {
            // A note that cannot be read fails when it runs, in its own words; not a question of --out.
            return null;
        }
    }

    private List<Path> expand(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                List<Path> found = list.filter(p -> p.getFileName().toString().endsWith(".zpln")).sorted().toList();
                if (found.isEmpty()) {
                    throw Cli.usage(spec, "no .zpln notes in " + path);
                }
                return found;
            }
        }
        if (!Files.isRegularFile(path)) {
            throw Cli.usage(spec, "no such note: " + path);
        }
        return List.of(path);
    }
}
