package io.propensitykit.notebook;

import scala.Console$;
import scala.collection.JavaConverters;
import scala.runtime.AbstractFunction0;
import scala.tools.nsc.Settings;
import scala.tools.nsc.interpreter.IMain;
import scala.tools.nsc.interpreter.Results;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The Scala REPL that runs {@code %spark} paragraphs, as Zeppelin's Spark interpreter does:
 * class-based wrappers (so closures serialize to executors), the REPL's echo of each definition
 * unless {@code zeppelin.spark.printREPLOutput} is false, and state shared from paragraph to
 * paragraph of one note.
 *
 * <p>Without the echo, what a paragraph prints is all it shows, as in Zeppelin. One difference, in
 * the reader's favour: when a paragraph fails, Zeppelin sends the compiler's message or the
 * exception to its interpreter log, where the REPL's writer then points; the runner shows it in the
 * paragraph.
 */
final class ScalaRepl implements AutoCloseable {

    private final IMain intp;
    private final RedirectableStream out = new RedirectableStream();
    private final boolean echo;

    /**
     * Starts a REPL that compiles against this JVM's class path.
     *
     * @param classOutputDir where generated classes go; Spark serves them to executors from here
     * @param echo whether a paragraph shows the REPL's echo ({@code x: Int = 1}, {@code import ...})
     */
    ScalaRepl(Path classOutputDir, boolean echo) {
        this.echo = echo;
        Settings settings = new Settings();
        settings.processArgumentString("-usejavacp -Yrepl-class-based -Yrepl-outdir " + classOutputDir);
        intp = new IMain(settings, new PrintWriter(out, true));
        intp.initializeSynchronous();
    }

    /**
     * Binds a value to a name in the REPL, as Zeppelin binds {@code spark}, {@code sc} and {@code z}.
     *
     * @param name the Scala name
     * @param type the static type, fully qualified
     * @param value the value
     */
    void bind(String name, String type, Object value) {
        List<String> modifiers = List.of("@transient");
        intp.bind(name, type, value, JavaConverters.asScalaBuffer(modifiers).toList());
    }

    /**
     * Runs code quietly (imports at start-up); fails if it does not compile or run.
     *
     * @param code Scala code
     */
    void quiet(String code) {
        Results.Result result = intp.beQuietDuring(new AbstractFunction0<Results.Result>() {
            @Override
            public Results.Result apply() {
                return intp.interpret(code);
            }
        });
        if (!(result instanceof Results.Success$)) {
            throw new IllegalStateException("The REPL could not run: " + code);
        }
    }

    /**
     * Interprets a paragraph, sending the REPL's echo and everything printed to {@code sink}.
     *
     * @param code the paragraph's Scala code
     * @param sink the paragraph's output
     * @return true when the code compiled and ran
     */
    boolean interpret(String code, OutputStream sink) {
        ByteArrayOutputStream held = new ByteArrayOutputStream();
        out.target = echo ? sink : held;
        out.lineStart = true;
        PrintStream stdout = System.out;
        PrintStream printer = new PrintStream(sink, true);
        System.setOut(printer);
        try {
            Results.Result result = interpretWithOut(code, printer);
            if (result instanceof Results.Incomplete$) {
                // As Zeppelin does: a paragraph ending in a comment reads as incomplete until something follows.
                result = interpretWithOut(code + "\nprint(\"\")", printer);
            }
            printer.flush();
            if (result instanceof Results.Incomplete$) {
                printer.println("error: incomplete input: the paragraph ends in the middle of an expression");
            }
            boolean ok = result instanceof Results.Success$;
            if (!ok && !echo) {
                printer.print(held.toString(StandardCharsets.UTF_8));
                printer.flush();
            }
            return ok;
        } finally {
            System.setOut(stdout);
            out.target = OutputStream.nullOutputStream();
        }
    }

    private Results.Result interpretWithOut(String code, PrintStream printer) {
        return Console$.MODULE$.withOut(printer, new AbstractFunction0<Results.Result>() {
            @Override
            public Results.Result apply() {
                return intp.interpret(code);
            }
        });
    }

    @Override
    public void close() {
        intp.close();
    }

    /**
     * The REPL's writer is fixed at construction; this stream lets each paragraph have its own. It
     * carries the REPL's echo ({@code name: Type = value}) and compiler messages, never the code's
     * own {@code println}: a line of the echo that starts with {@code %} gets a space before it, so
     * that a value's text (data held in a {@code val}) cannot switch the output to {@code %html}.
     */
    private static final class RedirectableStream extends OutputStream {
        private volatile OutputStream target = OutputStream.nullOutputStream();
        private boolean lineStart = true;

        @Override
        public void write(int b) throws java.io.IOException {
            if (lineStart && b == '%') {
                target.write(' ');
            }
            lineStart = b == '\n';
            target.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws java.io.IOException {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        @Override
        public void flush() throws java.io.IOException {
            target.flush();
        }
    }
}
