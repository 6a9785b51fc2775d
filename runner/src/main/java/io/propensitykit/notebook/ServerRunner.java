package io.propensitykit.notebook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.zeppelin.interpreter.InterpreterResult;
import org.apache.zeppelin.interpreter.InterpreterResultMessage;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs a note on a Zeppelin server through its REST API, paragraph by paragraph, and reads every
 * paragraph's status and results back into the note, so that {@code kit run} writes the same report
 * as for a local run. The server's blocking note run answers 200 even when a paragraph fails; this
 * runner trusts only each paragraph's own status.
 *
 * <p>The note is imported under a name of its own, its {@code %spark.conf} paragraph given
 * {@code spark.jars} when asked, the Spark interpreter restarted when the note has a
 * {@code %spark.conf} paragraph (a conf run in an open interpreter is ignored), each paragraph
 * started and polled until it ends or times out (then cancelled), the note read back, and deleted
 * unless it is to be kept.
 */
final class ServerRunner implements NoteExecution {

    /** Zeppelin's paragraph statuses that end a paragraph's run. */
    private static final Set<String> ENDED = Set.of("FINISHED", "ERROR", "ABORT");

    /** How Zeppelin 0.12 writes a paragraph's dates through Gson: {@code Dec 6, 2026, 9:25:09 PM}. */
    private static final DateTimeFormatter SERVER_DATE = DateTimeFormatter.ofPattern("MMM d, yyyy, h:mm:ss a",
            Locale.US);

    /** The REPL's colours in text results, which a report cannot show. */
    private static final Pattern ANSI = Pattern.compile("\u001b\\[[0-9;]*m");

    private static final Pattern SPARK_JARS = Pattern.compile("(?m)^\\s*spark\\.jars\\s.*$");

    /**
     * How to reach the server and what to do there.
     *
     * @param client the server
     * @param user a Shiro user, or null for anonymous
     * @param password the user's password
     * @param sparkJars the kit's jar for the note's {@code spark.jars}, or null to leave the note's
     * @param restartTimeout how long the interpreter's restart may take
     * @param keepNote leave the imported note on the server
     * @param pollMillis how often a running paragraph's status is read
     */
    record Server(ZeppelinClient client, String user, String password, String sparkJars, Duration restartTimeout,
            boolean keepNote, long pollMillis) {}

    private final Note note;
    private final RunOptions options;
    private final Server server;
    private final PrintStream console;
    private final Instant start = Instant.now();
    private final Map<String, String> used = new LinkedHashMap<>();
    /** Why the run stopped early, said once; null while it goes well. */
    private String failure;
    /** The imported note's id on the server, once imported. */
    private volatile String noteId;
    /** The paragraph running on the server now, or null. */
    private volatile String runningNow;
    /** Whether the imported note was deleted (or kept, with --keep-note), so that it is done once. */
    private boolean released;
    /**
     * Whether a signal stopped the run ({@link #abandon()}): the run's own thread then says nothing
     * more, since the note it polls is gone and the report is written.
     */
    private volatile boolean abandoned;

    ServerRunner(Note note, RunOptions options, Server server, PrintStream console) {
        this.note = note;
        this.options = options;
        this.server = server;
        this.console = console;
    }

    @Override
    public NoteRunner.Outcome run() {
        ZeppelinClient z = server.client();
        Map<String, String> ended = new HashMap<>();
        try {
            if (server.user() != null) {
                z.login(server.user(), server.password());
            }
            String setting = z.sparkSettingId();
            noteId = importUnique(z);
            Paragraph conf = note.paragraphs().stream().filter(p -> p.interpreter().equals("spark.conf")).findFirst()
                    .orElse(null);
            if (server.sparkJars() != null) {
                if (conf == null) {
                    throw new IllegalStateException("the note has no %spark.conf paragraph to set spark.jars in");
                }
                z.setParagraphText(noteId, conf.id(), withSparkJars(conf.text(), server.sparkJars()));
            }
            if (conf != null) {
                console.println("restarting the server's Spark interpreter: the note's %spark.conf applies only when"
                        + " it starts");
                try {
                    z.restartInterpreter(setting, server.restartTimeout());
                } catch (HttpTimeoutException e) {
                    throw new IOException("the Spark interpreter did not restart within "
                            + server.restartTimeout().toSeconds() + " s", e);
                }
            }
            boolean stop = false;
            int total = note.paragraphs().size();
            for (Paragraph p : note.paragraphs()) {
                String prefix = String.format(Locale.ROOT, "[%d/%d] %s", p.index() + 1, total, p.label());
                if (stop) {
                    console.println(prefix + " … not run");
                    continue;
                }
                if (!p.enabled()) {
                    console.println(prefix + " … disabled, skipped");
                    continue;
                }
                runningNow = p.id();
                long t0 = System.nanoTime();
                String status = runParagraph(z, p);
                runningNow = null;
                if (abandoned) {
                    return snapshot();
                }
                ended.put(p.id(), status);
                double seconds = (System.nanoTime() - t0) / 1e9;
                boolean ok = status.equals("FINISHED");
                console.printf(Locale.ROOT, "%s … %.1f s %s%n", prefix, seconds, ok ? "ok"
                        : status.equals("TIMEOUT") ? "FAILED (timed out, cancelled)" : "FAILED");
                if (!ok && !status.equals("TIMEOUT")) {
                    console.println("    " + firstErrorLine(z.note(noteId), p.id()));
                }
                stop = !ok && (!options.keepGoing() || status.equals("TIMEOUT"));
            }
            fill(z.note(noteId), ended);
        } catch (ZeppelinClient.ServerError e) {
            failure = e.refused() ? "the Zeppelin server at " + z.base() + " refused " + (server.user() == null
                    ? "anonymous access (give --user)" : "user '" + server.user() + "'") + ": " + e.getMessage()
                    : "the Zeppelin server at " + z.base() + " failed: " + e.getMessage();
            stopped(runningNow);
        } catch (ConnectException e) {
            failure = (noteId == null ? "cannot reach the Zeppelin server at " : "the Zeppelin server at ")
                    + z.base() + (noteId == null ? "" : " stopped answering") + " (" + reason(e) + ")";
            stopped(runningNow);
        } catch (IOException | IllegalStateException e) {
            failure = "the run on the Zeppelin server at " + z.base() + " stopped: " + reason(e);
            stopped(runningNow);
        } finally {
            deleteNote(z);
        }
        if (failure != null && !abandoned) {
            console.println("kit run: " + failure);
        }
        return snapshot();
    }

    /** Imports the note under its name and the run's time, another suffix if that name exists. */
    private String importUnique(ZeppelinClient z) throws IOException {
        JsonObject copy = JsonParser.parseString(note.toJson()).getAsJsonObject();
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss", Locale.ROOT));
        for (int attempt = 1; ; attempt++) {
            String name = note.name() + " (kit run " + stamp + (attempt > 1 ? "-" + attempt : "") + ")";
            // Zeppelin gives an imported note an id of its own, whatever the note's says (recording 02).
            copy.addProperty("name", name);
            try {
                String id = z.importNote(copy);
                console.printf("imported as '%s' (note %s) on %s%n", name, id, z.base());
                return id;
            } catch (ZeppelinClient.ServerError e) {
                if (e.status() != 500 || !e.getMessage().contains("existed") || attempt == 5) {
                    throw e;
                }
            }
        }
    }

    /** Runs one paragraph and waits for its end: its final status, or TIMEOUT after cancelling it. */
    private String runParagraph(ZeppelinClient z, Paragraph p) throws IOException {
        z.runParagraph(noteId, p.id(), options.params());
        long timeout = options.paragraphTimeoutSeconds();
        long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000_000L : Long.MAX_VALUE;
        while (true) {
            String status = z.paragraphStatus(noteId, p.id());
            if (ENDED.contains(status)) {
                return status;
            }
            if (System.nanoTime() > deadline) {
                z.cancelParagraph(noteId, p.id());
                return "TIMEOUT";
            }
            try {
                Thread.sleep(server.pollMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while paragraph " + p.id() + " ran", e);
            }
        }
    }

    /** Each paragraph's status, results, dates and form values, as the server holds them. */
    private void fill(JsonObject done, Map<String, String> ended) {
        Map<String, JsonObject> byId = new HashMap<>();
        for (JsonElement e : done.getAsJsonArray("paragraphs")) {
            JsonObject p = e.getAsJsonObject();
            byId.put(p.get("id").getAsString(), p);
        }
        for (Paragraph p : note.paragraphs()) {
            JsonObject s = byId.get(p.id());
            String status = ended.get(p.id());
            if (s == null || status == null) {
                p.setNotRun();
                continue;
            }
            List<InterpreterResultMessage> messages = new ArrayList<>();
            JsonElement results = s.get("results");
            if (results != null && results.isJsonObject() && results.getAsJsonObject().has("msg")) {
                for (JsonElement m : results.getAsJsonObject().getAsJsonArray("msg")) {
                    JsonObject o = m.getAsJsonObject();
                    InterpreterResult.Type type = InterpreterResult.Type.valueOf(o.get("type").getAsString());
                    String data = o.get("data").getAsString();
                    messages.add(new InterpreterResultMessage(type, type == InterpreterResult.Type.TEXT
                            ? ANSI.matcher(data).replaceAll("") : data));
                }
            }
            if (status.equals("TIMEOUT")) {
                messages.add(new InterpreterResultMessage(InterpreterResult.Type.TEXT, "Paragraph timed out after "
                        + options.paragraphTimeoutSeconds() + " s (--paragraph-timeout); it was cancelled on the"
                        + " server."));
            }
            boolean ok = status.equals("FINISHED");
            p.setResult(ok ? InterpreterResult.Code.SUCCESS : InterpreterResult.Code.ERROR, messages,
                    date(s, "dateStarted"), date(s, "dateFinished"));
            if (s.has("settings") && s.get("settings").isJsonObject()) {
                JsonObject settings = s.getAsJsonObject("settings");
                p.setSettings(settings.toString());
                JsonObject forms = settings.has("forms") ? settings.getAsJsonObject("forms") : new JsonObject();
                if (settings.has("params")) {
                    settings.getAsJsonObject("params").entrySet().stream().filter(kv -> forms.has(kv.getKey()))
                            .forEach(kv -> used.put(kv.getKey(), NoteRunner.text(kv.getValue())));
                }
            }
        }
    }

    /** The first line of a failed paragraph's output on the server: the error, in the note's words. */
    private static String firstErrorLine(JsonObject done, String paragraphId) {
        for (JsonElement e : done.getAsJsonArray("paragraphs")) {
            JsonObject p = e.getAsJsonObject();
            if (p.get("id").getAsString().equals(paragraphId) && p.has("results") && p.get("results").isJsonObject()) {
                for (JsonElement m : p.getAsJsonObject("results").getAsJsonArray("msg")) {
                    String data = ANSI.matcher(m.getAsJsonObject().get("data").getAsString()).replaceAll("").strip();
                    if (!data.isEmpty()) {
                        return data.lines().findFirst().orElse(data);
                    }
                }
            }
        }
        return "(the paragraph failed without output)";
    }

    /** The paragraph that was running when the run broke off ends as ERROR, saying why; the rest as not run. */
    private void stopped(String running) {
        for (Paragraph p : note.paragraphs()) {
            if (p.id().equals(running)) {
                p.setResult(InterpreterResult.Code.ERROR, List.of(new InterpreterResultMessage(
                        InterpreterResult.Type.TEXT, "The run stopped while this paragraph ran: " + failure + ".")),
                        null, LocalDateTime.now().format(NoteRunner.ZEPPELIN_DATE));
            } else if (p.code() == null) {
                p.setNotRun();
            }
        }
    }

    /**
     * A signal stops the run: the paragraph running on the server is cancelled and the imported note
     * deleted (unless --keep-note), as at the end of a run, so that neither is left behind.
     */
    @Override
    public void abandon() {
        abandoned = true;
        ZeppelinClient z = server.client();
        String paragraph = runningNow;
        if (noteId != null && paragraph != null) {
            try {
                z.cancelParagraph(noteId, paragraph);
            } catch (IOException | RuntimeException e) {
                console.printf("kit run: could not cancel paragraph %s on %s (%s)%n", paragraph, z.base(), reason(e));
            }
        }
        deleteNote(z);
    }

    private void deleteNote(ZeppelinClient z) {
        synchronized (this) {
            if (noteId == null || released) {
                return;
            }
            released = true;
        }
        if (server.keepNote()) {
            console.printf("kept the note %s on %s (--keep-note)%n", noteId, z.base());
            return;
        }
        try {
            z.deleteNote(noteId);
        } catch (IOException | RuntimeException e) {
            console.printf("kit run: could not delete the imported note %s from %s (%s); delete it there%n", noteId,
                    z.base(), reason(e));
        }
    }

    @Override
    public synchronized NoteRunner.Outcome snapshot() {
        int ran = 0;
        int failed = 0;
        for (Paragraph p : note.paragraphs()) {
            if (p.code() != null) {
                ran++;
                failed += p.code() == InterpreterResult.Code.ERROR ? 1 : 0;
            }
        }
        int notRun = (int) note.paragraphs().stream().filter(p -> p.code() == null && p.enabled()).count();
        return new NoteRunner.Outcome(note, failed == 0 && notRun == 0 && failure == null, failed, ran, notRun, start,
                Duration.between(start, Instant.now()), "on the Zeppelin server " + server.client().base(),
                Map.copyOf(used));
    }

    @Override
    public String exitCalledByNote() {
        return null;
    }

    /** The conf paragraph's text with {@code spark.jars} set to the jar, replacing the line it had. */
    static String withSparkJars(String text, String jar) {
        Matcher m = SPARK_JARS.matcher(text);
        String line = "spark.jars " + jar;
        return m.find() ? text.substring(0, m.start()) + line + text.substring(m.end()) : text.stripTrailing() + "\n"
                + line;
    }

    /** A server date in the runner's format, or null. */
    private static String date(JsonObject p, String field) {
        if (!p.has(field) || p.get(field).isJsonNull()) {
            return null;
        }
        String value = p.get(field).getAsString();
        try {
            return LocalDateTime.parse(value.replace('\u202f', ' '), SERVER_DATE).format(NoteRunner.ZEPPELIN_DATE);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static String reason(Throwable e) {
        String message = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName()
                : e.getMessage();
        return message.lines().findFirst().orElse(message);
    }
}
