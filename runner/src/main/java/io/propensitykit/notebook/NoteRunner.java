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

/**
 * Runs one note's paragraphs in order, with Zeppelin's run-all semantics: disabled paragraphs are
 * skipped, and the first failing paragraph stops the note unless {@code --keep-going} is set.
 */
final class NoteRunner {

    /** Zeppelin's date format in {@code .zpln} files. */
    static final DateTimeFormatter ZEPPELIN_DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS", Locale.ROOT);

    private final RunOptions options;
    private final PrintStream console;

    NoteRunner(RunOptions options, PrintStream console) {
        this.options = options;
        this.console = console;
    }

    /** What a note's run produced. */
    record Outcome(Note note, boolean ok, int failed, int ran, int notRun, Instant start, Duration elapsed,
            String sparkVersion, Map<String, String> paramsUsed) {}

    Outcome run(Note note) {
        Instant start = Instant.now();
        List<Paragraph> paragraphs = note.paragraphs();
        int total = paragraphs.size();
        int failed = 0;
        int ran = 0;
        boolean stopped = false;
        Map<String, String> used = new LinkedHashMap<>();
        String sparkVersion;
        try (NoteSession session = new NoteSession(note, options)) {
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
                long t0 = System.nanoTime();
                String started = LocalDateTime.now().format(ZEPPELIN_DATE);
                boolean ok = runParagraph(session, note, p);
                ran++;
                double seconds = (System.nanoTime() - t0) / 1e9;
                JsonObject params = p.settings().getAsJsonObject("params");
                if (params != null) {
                    params.entrySet().forEach(e -> used.put(e.getKey(), text(e.getValue())));
                }
                String finished = LocalDateTime.now().format(ZEPPELIN_DATE);
                p.json().addProperty("dateStarted", started);
                p.json().addProperty("dateFinished", finished);
                console.printf(Locale.ROOT, "%s … %.1f s %s%n", prefix, seconds, ok ? "ok" : "FAILED");
                if (!ok) {
                    failed++;
                    console.println("    " + firstErrorLine(p));
                    stopped = !options.keepGoing();
                }
            }
            sparkVersion = session.sparkVersion();
        }
        int notRun = (int) paragraphs.stream().filter(p -> p.code() == null && p.enabled()).count();
        return new Outcome(note, failed == 0, failed, ran, notRun, start, Duration.between(start, Instant.now()),
                sparkVersion, used);
    }

    private boolean runParagraph(NoteSession session, Note note, Paragraph p) {
        InterpreterOutput out = new InterpreterOutput();
        ParamGui gui = new ParamGui(new LinkedHashMap<>(options.params()));
        session.context(p, out, gui);
        String interpreter = p.interpreter().isEmpty() ? note.defaultInterpreterGroup() : p.interpreter();
        InterpreterResult.Code code = InterpreterResult.Code.SUCCESS;
        List<InterpreterResultMessage> extra = new ArrayList<>();
        try {
            switch (interpreter) {
                case "spark", "spark.spark" -> {
                    if (!session.scala(p.script(), out)) {
                        code = InterpreterResult.Code.ERROR;
                    }
                }
                case "sql", "spark.sql" -> session.sql(p.script(), gui, out);
                case "md", "md.md" -> extra.add(new InterpreterResultMessage(Type.HTML, session.markdown(p.script())));
                case "spark.conf" -> session.conf(p.script());
                default -> throw new IllegalArgumentException("Interpreter %" + interpreter + " is not supported by"
                        + " kit run; it runs %spark, %spark.sql, %sql, %md and %spark.conf.");
            }
        } catch (Exception e) {
            code = InterpreterResult.Code.ERROR;
            extra.add(new InterpreterResultMessage(Type.TEXT, errorText(e)));
        }
        List<InterpreterResultMessage> messages = new ArrayList<>();
        try {
            out.flush();
            messages.addAll(out.toInterpreterResultMessage());
            out.close();
        } catch (IOException e) {
            code = InterpreterResult.Code.ERROR;
            extra.add(new InterpreterResultMessage(Type.TEXT, errorText(e)));
        }
        messages.addAll(extra);
        gui.recordParamsUsed();
        p.setSettings(gui.toJson());
        p.setResult(code, messages, null, null);
        return code == InterpreterResult.Code.SUCCESS;
    }

    /** A parameter value as the command line would give it: checkbox lists comma-separated. */
    private static String text(com.google.gson.JsonElement value) {
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
