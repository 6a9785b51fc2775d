package io.propensitykit.notebook;

import com.vladsch.flexmark.ext.autolink.AutolinkExtension;
import com.vladsch.flexmark.ext.emoji.EmojiExtension;
import com.vladsch.flexmark.ext.emoji.EmojiImageType;
import com.vladsch.flexmark.ext.gfm.strikethrough.StrikethroughExtension;
import com.vladsch.flexmark.ext.tables.TablesExtension;
import com.vladsch.flexmark.ext.typographic.TypographicExtension;
import com.vladsch.flexmark.ext.wikilink.WikiLinkExtension;
import com.vladsch.flexmark.html.HtmlRenderer;
import com.vladsch.flexmark.parser.Parser;
import com.vladsch.flexmark.util.data.MutableDataSet;

import io.propensitykit.cli.ProgressListener;
import io.propensitykit.cli.SparkApp;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.apache.zeppelin.display.Input;
import org.apache.zeppelin.display.ui.CheckBox;
import org.apache.zeppelin.interpreter.InterpreterContext;
import org.apache.zeppelin.interpreter.InterpreterOutput;
import org.apache.zeppelin.interpreter.util.SqlSplitter;
import org.apache.zeppelin.resource.LocalResourcePool;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The interpreter state of one note: its Spark application (started on first use, after any
 * {@code %spark.conf}), its Scala REPL, its {@code z} and resource pool. Closed when the note ends,
 * so notes never see each other's state.
 */
final class NoteSession implements AutoCloseable {

    /** Zeppelin's setting for the rows z.show and %sql display. */
    static final String MAX_RESULT = "zeppelin.spark.maxResult";

    /** Zeppelin's setting for the REPL's echo in a {@code %spark} paragraph's output; true unless set. */
    static final String PRINT_REPL_OUTPUT = "zeppelin.spark.printREPLOutput";

    private final Note note;
    private final RunOptions options;
    private final PrintStream console;
    private ProgressListener progress;
    private final Map<String, String> noteConf = new LinkedHashMap<>();
    private final LocalResourcePool resources;
    private final KitZeppelinContext z = new KitZeppelinContext(KitZeppelinContext.DEFAULT_MAX_RESULT);
    private final Parser markdownParser;
    private final HtmlRenderer markdownRenderer;
    private SparkSession spark;
    private ScalaRepl repl;
    private Path replDir;
    private String[] pendingGroup;

    NoteSession(Note note, RunOptions options, PrintStream console) {
        this.note = note;
        this.options = options;
        this.console = console;
        this.resources = new LocalResourcePool("kit-run-" + note.baseName());
        // Zeppelin's %md (flexmark): the same extensions, soft breaks and HTML escaping.
        MutableDataSet md = new MutableDataSet();
        md.set(Parser.EXTENSIONS, List.of(StrikethroughExtension.create(), TablesExtension.create(),
                AutolinkExtension.create(), WikiLinkExtension.create(), TypographicExtension.create(),
                EmojiExtension.create()));
        md.set(HtmlRenderer.SOFT_BREAK, "<br />\n");
        md.set(EmojiExtension.USE_IMAGE_TYPE, EmojiImageType.UNICODE_ONLY);
        md.set(HtmlRenderer.ESCAPE_HTML, true);
        markdownParser = Parser.builder(md).build();
        markdownRenderer = HtmlRenderer.builder(md).build();
    }

    /** The context a paragraph runs in: its output, its forms, the note's resource pool. */
    InterpreterContext context(Paragraph p, InterpreterOutput out, ParamGui gui) {
        InterpreterContext ctx = InterpreterContext.builder()
                .setNoteId(note.baseName())
                .setNoteName(note.name())
                .setParagraphId(p.id())
                .setParagraphTitle(p.title())
                .setParagraphText(p.text())
                .setReplName(p.interpreter())
                .setInterpreterOut(out)
                .setGUI(gui)
                .setNoteGUI(new ParamGui(Map.of()))
                .setResourcePool(resources)
                .build();
        InterpreterContext.set(ctx);
        z.setInterpreterContext(ctx);
        z.setGui(gui);
        z.setNoteGui(ctx.getNoteGui());
        return ctx;
    }

    /** {@code %md}: rendered as Zeppelin's flexmark parser renders it, inside {@code markdown-body}. */
    String markdown(String text) {
        return "<div class=\"markdown-body\">\n" + markdownRenderer.render(markdownParser.parse(text)) + "\n</div>";
    }

    /** {@code %spark.conf}: "key value" lines, applied when Spark starts. */
    void conf(String script) {
        if (spark != null) {
            throw new IllegalStateException("%spark.conf must run before Spark starts, and Spark has already started"
                    + " in this note. Move this paragraph to the top of the note.");
        }
        for (String line : script.split("\n")) {
            String l = line.trim();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            String[] kv = l.split("\\s+", 2);
            noteConf.put(kv[0], kv.length > 1 ? kv[1].trim() : "");
        }
    }

    /** {@code %spark}: Scala in the note's REPL. */
    boolean scala(String code, InterpreterOutput out) {
        spark();
        return repl.interpret(code, out);
    }

    /** {@code %sql} and {@code %spark.sql}: SIMPLE forms filled, each statement shown as a table. */
    void sql(String script, ParamGui gui, InterpreterOutput out) throws IOException {
        LinkedHashMap<String, Input> forms = Input.extractSimpleQueryForm(script, false);
        Map<String, Object> params = gui.getParams();
        for (Map.Entry<String, Input> form : forms.entrySet()) {
            Object value = params.get(form.getKey());
            if (value instanceof String text && form.getValue() instanceof CheckBox) {
                params.put(form.getKey(), Arrays.asList((Object[]) text.split(",")));
            } else if (value == null) {
                params.put(form.getKey(), form.getValue().getDefaultValue());
            }
        }
        gui.setForms(forms);
        String query = Input.getSimpleQuery(params, script, false);
        SparkSession session = spark();
        for (String statement : new SqlSplitter().splitSql(query)) {
            out.write(z.showData(session.sql(statement), z.getMaxResult()));
        }
    }

    /** Starts Spark with the note's and the command line's settings, then the REPL bound like Zeppelin's. */
    SparkSession spark() {
        if (spark != null) {
            return spark;
        }
        try {
            replDir = Files.createTempDirectory("kit-run-repl-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SparkConf conf = new SparkConf();
        conf.setAppName(note.name());
        noteConf.forEach(conf::set);
        // The runner embeds the kit: a note's spark.jars entry for the kit jar (there for Zeppelin)
        // is already on the class path, and a second copy would only shadow it.
        if (conf.contains("spark.jars")) {
            String kept = java.util.Arrays.stream(conf.get("spark.jars").split(","))
                    .filter(j -> !j.trim().matches("(.*/)?kit-[^/]*-all\\.jar"))
                    .collect(java.util.stream.Collectors.joining(","));
            if (kept.isEmpty()) {
                conf.remove("spark.jars");
            } else {
                conf.set("spark.jars", kept);
            }
        }
        options.conf().forEach(conf::set);
        if (options.master() != null) {
            conf.setMaster(options.master());
        }
        conf.setIfMissing("spark.master", "local[*]");
        SparkApp.uiOffByDefault(conf);
        SparkApp.requireReachableMaster(conf.get("spark.master"));
        SparkApp.shipKit(conf);
        conf.set("spark.repl.class.outputDir", replDir.toString());
        z.setMaxResult(conf.getInt(MAX_RESULT, KitZeppelinContext.DEFAULT_MAX_RESULT));
        spark = SparkSession.builder().config(conf).getOrCreate();
        // A long Spark job says where it stands, as Zeppelin's progress bar does.
        progress = ProgressListener.attach(spark.sparkContext(), "    spark", console, 10);
        if (pendingGroup != null) {
            spark.sparkContext().setJobGroup(pendingGroup[0], pendingGroup[1], true);
            pendingGroup = null;
        }
        repl = new ScalaRepl(replDir, printReplOutput(conf.get(PRINT_REPL_OUTPUT, "true")));
        repl.bind("spark", "org.apache.spark.sql.SparkSession", spark);
        repl.bind("sc", "org.apache.spark.SparkContext", spark.sparkContext());
        repl.bind("sqlContext", "org.apache.spark.sql.SQLContext", spark.sqlContext());
        repl.bind("z", KitZeppelinContext.class.getName(), z);
        repl.quiet("import org.apache.spark.SparkContext._");
        repl.quiet("import spark.implicits._");
        repl.quiet("import spark.sql");
        repl.quiet("import org.apache.spark.sql.functions._");
        return spark;
    }

    /** Zeppelin reads the setting with Scala's {@code toBoolean}: true or false in any case, nothing else. */
    private static boolean printReplOutput(String value) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException("%spark.conf sets " + PRINT_REPL_OUTPUT + " to '" + value
                    + "': use true (show the REPL's echo) or false (show only what the paragraph prints)");
        }
        return Boolean.parseBoolean(value);
    }

    /**
     * Tags the Spark jobs that this thread starts, so that a timed-out paragraph's jobs can be
     * cancelled. Spark keeps the tag per thread: call it on the thread that runs the paragraph.
     */
    void jobGroup(String group, String description) {
        if (spark != null) {
            spark.sparkContext().setJobGroup(group, description, true);
        } else {
            pendingGroup = new String[] {group, description};
        }
    }

    /** Cancels the running Spark jobs of a paragraph's group, interrupting their tasks. */
    void cancel(String group) {
        if (spark != null) {
            spark.sparkContext().cancelJobGroup(group);
        }
    }

    /** @return the master URL of the note's Spark, or null before it starts */
    String master() {
        return spark == null ? null : spark.sparkContext().master();
    }

    /** @return the Spark version when Spark ran in this note, or null */
    String sparkVersion() {
        return spark == null ? null : spark.version();
    }

    @Override
    public void close() {
        if (repl != null) {
            repl.close();
        }
        if (progress != null) {
            progress.close();
        }
        if (spark != null) {
            spark.stop();
            SparkSession.clearActiveSession();
            SparkSession.clearDefaultSession();
        }
        InterpreterContext.remove();
        if (replDir != null) {
            try (Stream<Path> walk = Files.walk(replDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // a leftover temp directory is harmless
            }
        }
    }
}
