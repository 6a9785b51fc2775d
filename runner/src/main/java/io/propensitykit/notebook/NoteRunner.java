package io.propensitykit.notebook;

import com.google.gson.JsonObject;

import org.apache.zeppelin.interpreter.InterpreterOutput;
import org.apache.zeppelin.interpreter.InterpreterResult;
import org.apache.zeppelin.interpreter.InterpreterResult.Type;
import org.apache.zeppelin.interpreter.InterpreterResultMessage;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one note's paragraphs in order, with Zeppelin's run-all semantics: disabled paragraphs are
 * skipped, and the first failing paragraph stops the note unless {@code --keep-going} is set.
 *
 * <p>Each paragraph runs on the note's worker thread, so that a paragraph that runs past
 * {@code --paragraph-timeout} can be stopped: it ends as ERROR, its Spark jobs are cancelled, and
 * when its code cannot be interrupted the rest of the note is not run. {@link #snapshot()} gives
 * the outcome so far at any moment, for a report written when the run is cut short.
 */
final class NoteRunner implements NoteExecution {

    /** Zeppelin's date format in {@code .zpln} files. */
    static final DateTimeFormatter ZEPPELIN_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);

    /** How long a timed-out paragraph may take to stop once interrupted. */
    private static final long STOP_GRACE_SECONDS = 10;

    private final RunOptions options;
    private final PrintStream console;
    private final Note note;
    private final Instant start = Instant.now();
    private final Map<String, String> used = new LinkedHashMap<>();
    private int failed;
    private int ran;
    private String sparkVersion;
    private Paragraph current;
    /** The thread running the current paragraph's code, to tell a note's own sys.exit from a signal. */
    private volatile Thread paragraphThread;

    NoteRunner(Note note, RunOptions options, PrintStream console) {
        this.note = note;
        this.options = options;
        this.console = console;
    }

    /** What a note's run produced. */
    record Outcome(Note note, boolean ok, int failed, int ran, int notRun, Instant start, Duration elapsed,
            String sparkVersion, Map<String, String> paramsUsed) {}

    @Override
    public Outcome run() {
        List<Paragraph> paragraphs = note.paragraphs();
        int total = paragraphs.size();
        boolean stopped = false;
        ExecutorService worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kit-run-" + note.baseName());
            t.setDaemon(true); // a paragraph that ignores interruption must not keep the JVM alive
            return t;
        });
        try (NoteSession session = new NoteSession(note, options, console)) {
            for (Paragraph p : paragraphs) {
                String prefix = String.format(Locale.ROOT, "[%d/%d] %s", p.index() + 1, total, p.label());
                if (stopped) {
                    p.setNotRun();
                    console.println(prefix + " … not run");
                    continue;
                }
                if (!p.enabled()) {
                    console.println(prefix + " … disabled, skipped");
                    continue;
                }
                startSparkFor(p, session);
                long t0 = System.nanoTime();
                String started = LocalDateTime.now().format(ZEPPELIN_DATE);
                synchronized (this) {
                    current = p;
                }
                Run result = runParagraph(worker, session, p);
                double seconds = (System.nanoTime() - t0) / 1e9;
                synchronized (this) {
                    current = null;
                    ran++;
                    JsonObject params = p.settings().getAsJsonObject("params");
                    if (params != null) {
                        params.entrySet().forEach(e -> used.put(e.getKey(), text(e.getValue())));
                    }
                    p.json().addProperty("dateStarted", started);
                    p.json().addProperty("dateFinished", LocalDateTime.now().format(ZEPPELIN_DATE));
                    if (!result.ok()) {
                        failed++;
                    }
                }
                console.printf(Locale.ROOT, "%s … %.1f s %s%n", prefix, seconds, result.ok() ? "ok" : "FAILED");
                if (!result.ok()) {
                    console.println("    " + firstErrorLine(p));
                    stopped = !options.keepGoing() || result.stuck();
                }
            }
            synchronized (this) {
                sparkVersion = session.sparkVersion();
            }
        } finally {
            worker.shutdownNow();
        }
        return snapshot();
    }

    /**
     * The outcome so far: paragraphs that ran, failed, or had not run yet. A paragraph running
     * right now is recorded as failed, stopped by the end of the run.
     *
     * @return the outcome, safe to call from another thread (a shutdown hook)
     */
    @Override
    public synchronized Outcome snapshot() {
        int failedNow = failed;
        if (current != null) {
            current.setResult(InterpreterResult.Code.ERROR, List.of(new InterpreterResultMessage(Type.TEXT,
                    exitCalledByNote() != null ? "This paragraph called sys.exit, which ended the run."
                            : "The run was stopped while this paragraph ran (a signal).")),
                    null, LocalDateTime.now().format(ZEPPELIN_DATE));
            failedNow++;
        }
        int notRun = (int) note.paragraphs().stream().filter(p -> p.code() == null && p.enabled()).count();
        return new Outcome(note, failedNow == 0 && notRun == 0, failedNow, ran, notRun, start,
                Duration.between(start, Instant.now()), sparkVersion, Map.copyOf(used));
    }

    /**
     * The paragraph whose code is calling {@code sys.exit} (or {@code System.exit}) right now: its
     * thread waits inside {@code Runtime.exit} while the shutdown hooks run. A signal leaves it where
     * it was.
     *
     * @return that paragraph's label, or null when the JVM is not ending from a note's exit call
     */
    @Override
    public synchronized String exitCalledByNote() {
        Thread t = paragraphThread;
        if (t == null || current == null) {
            return null;
        }
        for (StackTraceElement frame : t.getStackTrace()) {
            if (frame.getClassName().equals("java.lang.Runtime") && frame.getMethodName().equals("exit")) {
                return String.format(Locale.ROOT, "[%d] %s", current.index() + 1, current.label());
            }
        }
        return null;
    }

    /** A paragraph's end: whether it succeeded, and whether its code is still running after a timeout. */
    private record Run(boolean ok, boolean stuck) {}

    private Run runParagraph(ExecutorService worker, NoteSession session, Paragraph p) {
        InterpreterOutput out = new InterpreterOutput();
        ParamGui gui = new ParamGui(new LinkedHashMap<>(options.params()));
        String interpreter = interpreterOf(p);
        String jobGroup = "kit-run-" + note.baseName() + "-" + p.id();
        List<InterpreterResultMessage> extra = new ArrayList<>();
        CountDownLatch ended = new CountDownLatch(1);
        Future<Boolean> work = worker.submit(() -> {
            paragraphThread = Thread.currentThread();
            try {
                session.context(p, out, gui);
                session.jobGroup(jobGroup, p.label());
                return interpret(session, interpreter, p, out, gui, extra);
            } finally {
                paragraphThread = null;
                ended.countDown();
            }
        });
        boolean ok;
        boolean stuck = false;
        long timeout = options.paragraphTimeoutSeconds();
        try {
            ok = timeout > 0 ? work.get(timeout, TimeUnit.SECONDS) : work.get();
        } catch (TimeoutException e) {
            ok = false;
            session.cancel(jobGroup);
            work.cancel(true);
            stuck = !finishes(ended);
            extra.add(new InterpreterResultMessage(Type.TEXT, "Paragraph timed out after " + timeout + " s"
                    + " (--paragraph-timeout); its Spark jobs were cancelled."
                    + (stuck ? " Its code did not stop, so the rest of the note was not run." : "")));
        } catch (ExecutionException e) {
            ok = false;
            extra.add(new InterpreterResultMessage(Type.TEXT, errorText(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ok = false;
            extra.add(new InterpreterResultMessage(Type.TEXT, "Interrupted."));
        }
        List<InterpreterResultMessage> messages = new ArrayList<>();
        try {
            out.flush();
            messages.addAll(out.toInterpreterResultMessage());
            out.close();
        } catch (IOException e) {
            ok = false;
            extra.add(new InterpreterResultMessage(Type.TEXT, errorText(e)));
        }
        messages.addAll(extra);
        gui.recordParamsUsed();
        synchronized (this) {
            p.setSettings(gui.toJson());
            p.setResult(ok ? InterpreterResult.Code.SUCCESS : InterpreterResult.Code.ERROR, messages, null, null);
        }
        return new Run(ok, stuck);
    }

    /**
     * Starts Spark as a step of its own before the first paragraph that needs it (after the note's
     * {@code %spark.conf}), with a line before and after, so that its start is neither a silence nor
     * counted in that paragraph's time. A Spark that does not start is left to the paragraph, which
     * then fails with the reason in the report.
     */
    private void startSparkFor(Paragraph p, NoteSession session) {
        String interpreter = interpreterOf(p);
        if (session.sparkVersion() != null || !List.of("spark", "spark.spark", "sql", "spark.sql").contains(interpreter)) {
            return;
        }
        long t0 = System.nanoTime();
        console.println("[spark] starting Spark for this note …");
        try {
            session.spark();
            console.printf(Locale.ROOT, "[spark] Spark %s (%s) ready in %.1f s%n", session.sparkVersion(),
                    session.master(), (System.nanoTime() - t0) / 1e9);
        } catch (RuntimeException e) {
            console.println("[spark] Spark did not start: " + e.getMessage());
        }
    }

    /** The paragraph's interpreter, the note's default when its text names none. */
    private String interpreterOf(Paragraph p) {
        return p.interpreter().isEmpty() ? note.defaultInterpreterGroup() : p.interpreter();
    }

    private static boolean finishes(CountDownLatch ended) {
        try {
            return ended.await(STOP_GRACE_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean interpret(NoteSession session, String interpreter, Paragraph p, InterpreterOutput out,
            ParamGui gui, List<InterpreterResultMessage> extra) throws IOException {
        switch (interpreter) {
            case "spark", "spark.spark" -> {
                return session.scala(p.script(), out);
            }
            case "sql", "spark.sql" -> session.sql(p.script(), gui, out);
            case "md", "md.md" -> extra.add(new InterpreterResultMessage(Type.HTML, session.markdown(p.script())));
            case "spark.conf" -> session.conf(p.script());
            default -> throw new IllegalArgumentException("Interpreter %" + interpreter + " is not supported by"
                    + " kit run; it runs %spark, %spark.sql, %sql, %md and %spark.conf.");
        }
        return true;
    }

    /** A parameter value as the command line would give it: checkbox lists comma-separated. */
    static String text(com.google.gson.JsonElement value) {
        if (value.isJsonArray()) {
            List<String> items = new ArrayList<>();
            value.getAsJsonArray().forEach(v -> items.add(v.isJsonPrimitive() ? v.getAsString() : v.toString()));
            return String.join(",", items);
        }
        return value.isJsonPrimitive() ? value.getAsString() : value.toString();
    }

    /** Zeppelin shows the exception's message; the stack trace is kept for reading in the report. */
    private static String errorText(Throwable e) {
        StringWriter trace = new StringWriter();
        e.printStackTrace(new PrintWriter(trace));
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        return message + "\n\n" + trace;
    }

    private static String firstErrorLine(Paragraph p) {
        for (int i = p.messages().size() - 1; i >= 0; i--) {
            String data = p.messages().get(i).getData().strip();
            for (String line : data.split("\n")) {
                if (line.contains("error") || line.contains("Exception") || line.contains("Error")) {
                    return line.strip();
                }
            }
        }
        return p.messages().isEmpty() ? "(no output)" : p.messages().get(p.messages().size() - 1).getData().strip()
                .lines().findFirst().orElse("");
    }
}
