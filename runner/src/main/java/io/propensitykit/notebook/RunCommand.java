package io.propensitykit.notebook;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * <p>Each note gets its own Spark application and REPL. The exit status is 0 when every paragraph
 * of every note ran, 1 when one failed, 2 for a usage error.
 */
public final class RunCommand {

    static final String USAGE = String.join("\n",
            "usage: kit run NOTE.zpln|DIR ... [-p name=value]... [--out DIR] [--master URL] [--conf k=v]... [--keep-going]",
            "  NOTE.zpln|DIR      notes to run; a directory runs its *.zpln files in name order",
            "  -p name=value      a value for a form (z.textbox, z.select, z.checkbox) or a %sql ${template}",
            "  --out DIR          where the executed notes and HTML reports go (default reports/)",
            "  --master URL       Spark master (default: the note's %spark.conf, else local[*])",
            "  --conf k=v         a Spark setting, overriding the notes' %spark.conf",
            "  --keep-going       run the paragraphs after a failing one instead of stopping");

    private RunCommand() {}

    /**
     * Runs the command and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(USAGE);
            System.exit(0);
        }
        int status;
        try {
            status = run(args, System.out);
        } catch (UsageException e) {
            System.err.println("kit run: " + e.getMessage());
            System.err.println(USAGE);
            status = 2;
        } catch (Exception e) {
            System.err.println("kit run: error: " + e.getMessage());
            status = 1;
        }
        System.exit(status);
    }

    /**
     * Runs every note and writes its outputs.
     *
     * @param args the command line
     * @param console where progress lines go
     * @return 0 when all notes ran without a failing paragraph, else 1
     * @throws UsageException for a command-line mistake
     * @throws IOException when a note or an output cannot be read or written
     */
    static int run(String[] args, PrintStream console) throws UsageException, IOException {
        RunOptions options = parse(args);
        Files.createDirectories(options.out());
        String kitVersion = kitVersion();
        int failedNotes = 0;
        for (Path file : options.notes()) {
            Note note = Note.read(file);
            console.printf("%s (%d paragraphs)%n", note.name(), note.paragraphs().size());
            NoteRunner.Outcome outcome = new NoteRunner(options, console).run(note);
            Path zpln = options.out().resolve(note.baseName() + ".zpln");
            Path html = options.out().resolve(note.baseName() + ".html");
            Files.writeString(zpln, note.toJson(), StandardCharsets.UTF_8);
            Files.writeString(html, HtmlReport.render(outcome, kitVersion), StandardCharsets.UTF_8);
            console.printf(Locale.ROOT, "%s: %s, %d paragraphs ran, %d failed, %d not run, %.1f s -> %s%n",
                    note.name(), outcome.ok() ? "ok" : "FAILED", outcome.ran(), outcome.failed(), outcome.notRun(),
                    outcome.elapsed().toMillis() / 1000.0, html);
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
            console.printf("%d notes, %d failed%n", options.notes().size(), failedNotes);
        }
        return failedNotes == 0 ? 0 : 1;
    }

    static RunOptions parse(String[] args) throws UsageException, IOException {
        List<Path> notes = new ArrayList<>();
        Map<String, String> params = new LinkedHashMap<>();
        Map<String, String> conf = new LinkedHashMap<>();
        Path out = Path.of("reports");
        String master = null;
        boolean keepGoing = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "-p", "--param" -> put(params, value(args, ++i, a), a);
                case "--conf" -> put(conf, value(args, ++i, a), a);
                case "--out" -> out = Path.of(value(args, ++i, a));
                case "--master" -> master = value(args, ++i, a);
                case "--keep-going" -> keepGoing = true;
                default -> {
                    if (a.startsWith("-")) {
                        throw new UsageException("unknown option '" + a + "'");
                    }
                    notes.addAll(expand(Path.of(a)));
                }
            }
        }
        if (notes.isEmpty()) {
            throw new UsageException("no notes given");
        }
        return new RunOptions(notes, params, out, master, conf, keepGoing);
    }

    private static List<Path> expand(Path path) throws UsageException, IOException {
        if (Files.isDirectory(path)) {
            try (Stream<Path> list = Files.list(path)) {
                List<Path> found = list.filter(p -> p.getFileName().toString().endsWith(".zpln")).sorted().toList();
                if (found.isEmpty()) {
                    throw new UsageException("no .zpln notes in " + path);
                }
                return found;
            }
        }
        if (!Files.isRegularFile(path)) {
            throw new UsageException("no such note: " + path);
        }
        return List.of(path);
    }

    private static String value(String[] args, int i, String option) throws UsageException {
        if (i >= args.length) {
            throw new UsageException(option + " needs a value");
        }
        return args[i];
    }

    private static void put(Map<String, String> map, String pair, String option) throws UsageException {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
            throw new UsageException(option + " takes name=value, got '" + pair + "'");
        }
        map.put(pair.substring(0, eq), pair.substring(eq + 1));
    }

    static String kitVersion() {
        try (InputStream in = RunCommand.class.getResourceAsStream("kit-version.txt")) {
            return in == null ? "unknown" : new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** A command-line mistake: the usage is printed with it. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
