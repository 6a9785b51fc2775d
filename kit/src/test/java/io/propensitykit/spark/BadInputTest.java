package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.SharedSpark;
import io.propensitykit.cli.Cli;
import io.propensitykit.cli.GenerateJob;
import io.propensitykit.cli.ScoreJob;
import io.propensitykit.display.Display;
import io.propensitykit.model.Fixtures;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The bad-input sweep, kept as a suite: each case is what a user typed or passed to {@code kit
 * score}, {@code kit generate} or the API. Every case asserts the exit status,
 * the one line the user sees, that no stack trace reaches them without {@code --verbose}, and for
 * the cases that write, that no row is lost or invented (rows in = rows out + counted skips) and
 * that the input is untouched. The commands run in this JVM on the class's Spark session, as the
 * launcher runs them in their own.
 */
class BadInputTest extends SharedSpark {

    @TempDir
    static Path tmp;

    /** 64 customers, the fixture model's features and their reference scores (make_fixtures.py, PyTorch). */
    static Path good;
    /** 10 customers, 4 with a null, NaN, infinite or float-overflowing feature. */
    static Path invalid;
    static Path goodCsv;
    /** Three valid customers and one whose tenure is Double.MAX_VALUE: finite, but beyond float. */
    static Path maxValue;
    static Path model;

    /** What a command left for its user: the status and everything it wrote to standard error. */
    record Outcome(int status, String err) {

        /** @return the line that says what failed, {@code kit X: error: ...}, or "" */
        String line() {
            return err.lines().filter(l -> l.startsWith("kit ") && l.contains(": error: ")).findFirst().orElse("");
        }
    }

    static Outcome run(Supplier<Object> command, String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Object cmd = command.get();
        if (cmd instanceof ScoreJob) {
            cmd = new ScoreJob(stream);
        } else if (cmd instanceof GenerateJob) {
            cmd = new GenerateJob(stream);
        }
        int status = Cli.execute(cmd, stream, stream, args);
        return new Outcome(status, bytes.toString(StandardCharsets.UTF_8));
    }

    static Outcome score(String... args) {
        return run(ScoreJob::new, args);
    }

    @BeforeAll
    static void fixtures() throws IOException {
        model = Fixtures.torchScript();
        StructType schema = new StructType().add("id", DataTypes.IntegerType).add("recency", DataTypes.DoubleType)
                .add("frequency", DataTypes.DoubleType).add("monetary", DataTypes.DoubleType)
                .add("tenure", DataTypes.DoubleType);
        List<Row> rows = new ArrayList<>();
        List<double[]> fixture = Fixtures.expectedRows();
        for (int i = 0; i < fixture.size(); i++) {
            double[] r = fixture.get(i);
            rows.add(RowFactory.create(i, r[0], r[1], r[2], r[3]));
        }
        good = tmp.resolve("good.parquet");
        spark.createDataFrame(rows, schema).repartition(2).write().parquet(good.toString());
        goodCsv = tmp.resolve("good.csv");
        spark.createDataFrame(rows, schema).coalesce(1).write().option("header", "true").csv(goodCsv.toString());
        List<Row> bad = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            bad.add(RowFactory.create(i, 10.0 + i, 2.0, 50.0, 12.0));
        }
        bad.add(RowFactory.create(6, null, 2.0, 50.0, 12.0));
        bad.add(RowFactory.create(7, 10.0, Double.NaN, 50.0, 12.0));
        bad.add(RowFactory.create(8, 10.0, 2.0, Double.POSITIVE_INFINITY, 12.0));
        bad.add(RowFactory.create(9, 10.0, 2.0, 50.0, Double.MAX_VALUE));
        invalid = tmp.resolve("invalid.parquet");
        spark.createDataFrame(bad, schema).coalesce(1).write().parquet(invalid.toString());
        maxValue = tmp.resolve("maxvalue.parquet");
        spark.read().parquet(invalid.toString()).where("id = 9 or id < 3").coalesce(1).write()
                .parquet(maxValue.toString());
    }

    private static Path write(String name, String text) throws IOException {
        Path file = tmp.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    /** A copy of the fixture model whose metadata is changed by {@code edit}. */
    private static Path modelWith(String dir, java.util.function.UnaryOperator<String> edit) throws IOException {
        Path d = Files.createDirectories(tmp.resolve(dir));
        Files.copy(model, d.resolve("tiny_mlp.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(d.resolve("tiny_mlp.json"),
                edit.apply(Files.readString(model.resolveSibling("tiny_mlp.json"))));
        return d.resolve("tiny_mlp.pt");
    }

    private static String out(String name) {
        return tmp.resolve("out").resolve(name).toString();
    }

    private static long rows(String path) {
        return spark.read().format(path.endsWith(".csv") ? "csv" : "parquet").option("header", "true").load(path)
                .count();
    }

    // ---------------------------------------------------------------- usage: status 2, the flag named

    static Stream<Arguments> usage() {
        String m = "--model";
        String i = "--input";
        String o = "--output";
        String mp = "tiny.pt";
        return Stream.of(
                Arguments.of("score: nothing given", (Supplier<Object>) ScoreJob::new, new String[] {},
                        "Missing required options"),
                Arguments.of("score: no --output", (Supplier<Object>) ScoreJob::new, new String[] {m, mp, i, "x"},
                        "Missing required option: '--output=OUT'"),
                Arguments.of("score: unknown option", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--bogus"}, "Unknown option: '--bogus'"),
                Arguments.of("score: a typo in a required option", (Supplier<Object>) ScoreJob::new,
                        new String[] {"--modle", mp, i, "x", o, "y"}, "Unknown option or argument: '--modle', 'tiny.pt'"
                                + " (did you mean --model?); missing required option: '--model=M'"),
                Arguments.of("score: --batch-size abc", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--batch-size", "abc"},
                        "Invalid value for option '--batch-size': 'abc' is not an int"),
                Arguments.of("score: --batch-size 0", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--batch-size", "0"},
                        "Invalid value for option '--batch-size': 0 is not a positive number"),
                Arguments.of("score: --batch-size -5", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--batch-size", "-5"},
                        "Invalid value for option '--batch-size': -5 is not a positive number"),
                Arguments.of("score: --batch-size too large", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--batch-size", "99999999999"},
                        "Invalid value for option '--batch-size': '99999999999' is not an int"),
                Arguments.of("score: --handle-invalid drop", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--handle-invalid", "drop"},
                        "Invalid value for option '--handle-invalid': expected one of [ERROR, SKIP, KEEP]"),
                Arguments.of("score: --output-format xml", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--output-format", "xml"},
                        "Invalid value for option '--output-format': expected one of [PARQUET, CSV]"),
                Arguments.of("score: --format xml", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "--format", "xml"},
                        "Invalid value for option '--format': expected one of [PARQUET, CSV]"),
                Arguments.of("score: --input without a value", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i}, "Missing required parameter for option '--input'"),
                Arguments.of("score: a stray argument", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", "extra"}, "Unmatched argument at index 6: 'extra'"),
                Arguments.of("score: an option twice", (Supplier<Object>) ScoreJob::new,
                        new String[] {m, mp, i, "x", o, "y", o, "z"}, "option '--output' (OUT) should be specified"
                                + " only once"),
                Arguments.of("generate: nothing given", (Supplier<Object>) GenerateJob::new, new String[] {},
                        "Missing required option: '--output=OUT'"),
                Arguments.of("generate: --rwos typo", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--rwos", "10"}, "Unknown options: '--rwos', '10'"),
                Arguments.of("generate: --rows abc", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--rows", "abc"}, "Invalid value for option '--rows': 'abc' is not a long"),
                Arguments.of("generate: --rows 0", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--rows", "0"}, "Invalid value for option '--rows': 0 is not a positive"),
                Arguments.of("generate: --rows -1", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--rows", "-1"}, "Invalid value for option '--rows': -1 is not a positive"),
                Arguments.of("generate: --format xml", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--format", "xml"},
                        "Invalid value for option '--format': expected one of [PARQUET, CSV, NOOP]"),
                Arguments.of("generate: --partitions 0", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--partitions", "0"}, "'--partitions': 0 is not a positive number"),
                Arguments.of("generate: --seed x", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--seed", "x"}, "Invalid value for option '--seed': 'x' is not a long"),
                Arguments.of("generate: --base-rate high", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "--base-rate", "high"},
                        "Invalid value for option '--base-rate': 'high' is not a double"),
                Arguments.of("generate: a stray argument", (Supplier<Object>) GenerateJob::new,
                        new String[] {o, "y", "more"}, "Unmatched argument at index 2: 'more'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void usage(String name, Supplier<Object> command, String[] args, String expected) {
        Outcome o = run(command, args);
        assertEquals(Cli.USAGE, o.status(), o.err());
        String first = o.err().lines().findFirst().orElse("");
        assertTrue(first.matches("kit (score|generate): .*") && first.contains(expected), first);
        assertTrue(o.err().contains("Usage: kit "), "the usage follows: " + o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    // ---------------------------------------------------------------- help: status 0, nothing run

    static Stream<Arguments> help() {
        return Stream.of(
                Arguments.of("score --help", (Supplier<Object>) ScoreJob::new, "--help", "Usage: kit score"),
                Arguments.of("score -h", (Supplier<Object>) ScoreJob::new, "-h", "--handle-invalid=H"),
                Arguments.of("generate --help", (Supplier<Object>) GenerateJob::new, "--help", "--overwrite"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void help(String name, Supplier<Object> command, String flag, String expected) {
        Outcome o = run(command, flag);
        assertEquals(Cli.OK, o.status(), o.err());
        assertTrue(o.err().contains(expected), o.err());
    }

    // ---------------------------------------------------------------- failures: status 1, one line

    /** A failing case: arguments made in the test's fixtures, the expected fragment of the one line. */
    record Failure(String name, Callable<String[]> args, String expected) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Failure> failures() {
        return Stream.of(
                new Failure("model file missing", () -> new String[] {"--model", tmp.resolve("none.pt").toString(),
                    "--input", good.toString(), "--output", out("f1")}, "Model not found: "),
                new Failure("model directory with only a .pt", () -> {
                    Path d = Files.createDirectories(tmp.resolve("onlypt"));
                    Files.copy(model, d.resolve("tiny_mlp.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return new String[] {"--model", d.toString(), "--input", good.toString(), "--output", out("f2")};
                }, "holds [tiny_mlp.pt] but no propensity.json, so it is not a DJL model directory. For a TorchScript"
                        + " model pass the .pt file itself"),
                new Failure(".pt without its metadata", () -> {
                    Path d = Files.createDirectories(tmp.resolve("nojson"));
                    Files.copy(model, d.resolve("m.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    return new String[] {"--model", d.resolve("m.pt").toString(), "--input", good.toString(),
                        "--output", out("f3")};
                }, "No metadata for model "),
                new Failure("corrupt .pt", () -> {
                    Path bad = modelWith("corrupt", s -> s.replaceAll(",\\s*\"sha256\": \"[0-9a-f]+\"", ""));
                    Files.write(bad, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
                    return new String[] {"--model", bad.toString(), "--input", good.toString(), "--output", out("f4")};
                }, "Could not load model 'tiny_mlp' from " + tmp.resolve("corrupt/tiny_mlp.pt") + " ("
                        + tmp.resolve("corrupt/tiny_mlp.pt") + "): PytorchStreamReader failed reading zip archive: not a"
                        + " ZIP archive. Expected a TorchScript file written by torch.jit.save."),
                new Failure("a zip bomb named .pt", () -> {
                    Path bomb = modelWith("bomb", s -> s.replaceAll(",\\s*\"sha256\": \"[0-9a-f]+\"", ""));
                    try (var zip = new java.util.zip.ZipOutputStream(Files.newOutputStream(bomb))) {
                        zip.putNextEntry(new java.util.zip.ZipEntry("tiny_mlp/data/0"));
                        byte[] zeros = new byte[1 << 20];
                        for (int i = 0; i < 100; i++) {
                            zip.write(zeros);
                        }
                        zip.closeEntry();
                    }
                    assertTrue(Files.size(bomb) < (1 << 20), "100 MB of zeros deflate to under 1 MB");
                    return new String[] {"--model", bomb.toString(), "--input", good.toString(), "--output", out("f39")};
                }, "entry tiny_mlp/data/0 of tiny_mlp.pt inflates "),
                new Failure("weights changed under a sha256 pin", () -> {
                    Path bad = modelWith("pinned", s -> s);
                    Files.write(bad, new byte[] {1, 2, 3});
                    return new String[] {"--model", bad.toString(), "--input", good.toString(), "--output", out("f5")};
                }, "sha256"),
                new Failure("metadata that is not JSON", () -> new String[] {"--model",
                    modelWith("notjson", s -> "{ features: [").toString(), "--input", good.toString(), "--output",
                    out("f6")}, "is not valid JSON (it goes wrong at line 1 column "),
                new Failure("a model name with a line break and %html", () -> new String[] {"--model",
                    modelWith("newline-name", s -> s.replace("\"name\": \"tiny_mlp\"",
                            "\"name\": \"tiny\\n%html <img src=y onerror=alert(1)>\"")).toString(), "--input",
                    good.toString(), "--output", out("f35")}, "the name 'tiny\\n%html <img src=y onerror=alert(1)>'"
                        + " holds a line break or another control character; a name is one line of text"),
                new Failure("metadata with 3 features for a 4-input model", () -> new String[] {"--model",
                    modelWith("three", s -> s.replace("\"tenure\"", "").replace("\"monetary\",", "\"monetary\"")
                            .replace("24.0", "").replace("120.0,", "120.0").replace("12.0", "")
                            .replace("80.0,", "80.0")).toString(), "--input", good.toString(), "--output", out("f7")},
                        "tiny_mlp"),
                new Failure("a model with two outputs", () -> new String[] {"--model",
                    Fixtures.dir().resolve("two_outputs.pt").toString(), "--input", good.toString(), "--output",
                    out("f8")}, "Smoke prediction of the model at " + Fixtures.dir().resolve("two_outputs.pt")
                        + ": Model 'two_outputs' returned shape (2, 2) for a batch of 2 rows; expected one score per row"),
                new Failure("logits declared as probabilities", () -> new String[] {"--model",
                    modelWith("logits", s -> s.replace("\"logit\"", "\"probability\"")).toString(), "--input",
                    good.toString(), "--output", out("f9")}, "outside [0, 1] as a propensity. Its metadata declares"
                        + " \"output\": \"probability\"; if the model returns logits, declare \"output\": \"logit\""),
                new Failure("a classpath: model that is not there", () -> new String[] {"--model",
                    "classpath:models/none.pt", "--input", good.toString(), "--output", out("f33")},
                        "Model not found: classpath:models/none.pt (no resource models/none.pt in the kit jar"),
                new Failure("classpath: with no resource", () -> new String[] {"--model", "classpath:", "--input",
                    good.toString(), "--output", out("f40")}, "Model location classpath: names no file: give the"
                        + " resource, for example classpath:models/retail_mlp.pt."),
                new Failure("classpath: naming a folder", () -> new String[] {"--model", "classpath:models/", "--input",
                    good.toString(), "--output", out("f41")}, "Model location classpath:models/ names no file"),
                new Failure("a classpath: model is checksummed like any other", () -> new String[] {"--model",
                    "classpath:models/tiny_mlp.pt", "--input", good.toString(), "--output", out("f34"), "--sha256",
                    "11".repeat(32)}, "sha256"),
                new Failure("--sha256 that does not match", () -> new String[] {"--model", model.toString(),
                    "--input", good.toString(), "--output", out("f10"), "--sha256", "00".repeat(32)}, "sha256"),
                new Failure("input missing", () -> new String[] {"--model", model.toString(), "--input",
                    tmp.resolve("nothing.parquet").toString(), "--output", out("f11")}, "PATH_NOT_FOUND"),
                new Failure("output equals input, even with --overwrite", () -> new String[] {"--model",
                    model.toString(), "--input", good.toString(), "--output", good.toString(), "--overwrite"},
                        "overlaps the input " + good + ": writing there would destroy the data being read"),
                new Failure("output inside the input", () -> new String[] {"--model", model.toString(), "--input",
                    good.toString(), "--output", good.resolve("scored").toString(), "--overwrite"}, "overlaps the input"),
                new Failure("input inside the output", () -> new String[] {"--model", model.toString(), "--input",
                    good.toString(), "--output", tmp.toString(), "--overwrite"}, "overlaps the input"),
                new Failure("output exists", () -> {
                    Files.createDirectories(tmp.resolve("exists"));
                    Files.writeString(tmp.resolve("exists/_SUCCESS"), "");
                    return new String[] {"--model", model.toString(), "--input", good.toString(), "--output",
                        tmp.resolve("exists").toString()};
                }, "already exists. Pass --overwrite to replace it"),
                new Failure("output left incomplete by an earlier run", () -> {
                    Files.createDirectories(tmp.resolve("half"));
                    Files.writeString(tmp.resolve("half/part-00000.parquet"), "x");
                    return new String[] {"--model", model.toString(), "--input", good.toString(), "--output",
                        tmp.resolve("half").toString()};
                }, "holds no complete result (no _SUCCESS: an earlier run stopped)"),
                new Failure("output is a file", () -> new String[] {"--model", model.toString(), "--input",
                    good.toString(), "--output", write("afile.txt", "keep me").toString()}, "already exists"),
                new Failure("--features with 3 columns", () -> new String[] {"--model", model.toString(), "--input",
                    good.toString(), "--output", out("f18"), "--features", "recency,frequency,monetary"},
                        "--features has 3 columns"),
                new Failure("--features with a column twice", () -> new String[] {"--model", model.toString(),
                    "--input", good.toString(), "--output", out("f36"), "--features", "recency,recency,monetary,tenure"},
                        "--features lists column 'recency' twice in [recency, recency, monetary, tenure]; each of model"
                        + " 'tiny_mlp''s features"),
                new Failure("metadata with an object for its name", () -> new String[] {"--model",
                    modelWith("objname", s -> s.replace("\"name\": \"tiny_mlp\"", "\"name\": {\"x\": 1}")).toString(),
                    "--input", good.toString(), "--output", out("f37")}, "the field 'name' must be text, found an"
                        + " object {...}"),
                new Failure("metadata with a number for its features", () -> new String[] {"--model",
                    modelWith("numfeatures", s -> s.replaceFirst("\"features\": \\[[^\\]]*\\]", "\"features\": 4"))
                    .toString(), "--input", good.toString(), "--output", out("f38")}, "the field 'features' must be a"
                        + " list of column names, found 4"),
                new Failure("--features naming a missing column", () -> new String[] {"--model", model.toString(),
                    "--input", good.toString(), "--output", out("f19"), "--features", "recency,frequency,monetary,age"},
                        "needs feature column(s) [age], which the DataFrame lacks"),
                new Failure("--id not a column", () -> new String[] {"--model", model.toString(), "--input",
                    good.toString(), "--output", out("f20"), "--id", "customer"}, "idCol 'customer' is not a column"),
                new Failure("--output-col already a column", () -> new String[] {"--model", model.toString(),
                    "--input", good.toString(), "--output", out("f21"), "--output-col", "recency"},
                        "Output column 'recency' already exists"),
                new Failure("a text feature in CSV", () -> new String[] {"--model", model.toString(), "--input",
                    write("text.csv", "id,recency,frequency,monetary,tenure\n1,ten,2,50,12\n").toString(), "--output",
                    out("f22")}, "Feature column 'recency' has type string, not a number"),
                new Failure("a CSV with a header and no rows", () -> new String[] {"--model", model.toString(),
                    "--input", write("header.csv", "id,recency,frequency,monetary,tenure\n").toString(), "--output",
                    out("f23")}, "holds a CSV header and no rows: nothing to read"),
                new Failure("--format csv on Parquet", () -> new String[] {"--model", model.toString(), "--input",
                    good.toString(), "--output", out("f24"), "--format", "csv"}, "is a Parquet file, not CSV"),
                new Failure("a null feature under error", () -> new String[] {"--model", model.toString(), "--input",
                    invalid.toString(), "--output", out("f25"), "--id", "id"},
                        "Invalid features in a row (id=6): column 'recency' is null. Model 'tiny_mlp' cannot score"
                        + " that. Set --handle-invalid skip to drop such rows, or --handle-invalid keep"),
                new Failure("Double.MAX_VALUE under error", () -> new String[] {"--model", model.toString(),
                    "--input", maxValue.toString(), "--output", out("f26"), "--id", "id"}, "column 'tenure' is 1.7976931348623157E308, which overflows the model's float32 input"),
                new Failure("NaN in a CSV under error", () -> new String[] {"--model", model.toString(), "--input",
                    write("nan.csv", "id,recency,frequency,monetary,tenure\n1,NaN,2,50,12\n").toString(), "--output",
                    out("f27"), "--id", "id"}, "column 'recency' is NaN"),
                // s3a:// without hadoop-aws: the runner's S3WithoutHadoopAwsTest (hadoop-aws is on this class path).
                new Failure("a model on an hdfs:// host that does not exist", () -> new String[] {"--model",
                    "hdfs://no-such-host.invalid:8020/models/m.pt", "--input", good.toString(), "--output", out("f31")},
                        "Unknown host 'no-such-host.invalid' in a path: check the host name"),
                new Failure("input on an hdfs:// host that does not exist", () -> new String[] {"--model",
                    model.toString(), "--input", "hdfs://no-such-host.invalid:8020/data", "--output", out("f32")},
                        "Unknown host 'no-such-host.invalid' in a path"),
                new Failure("an unknown file system scheme", () -> new String[] {"--model", model.toString(),
                    "--input", "nosuchfs://x/y", "--output", out("f29")}, "nosuchfs"),
                new Failure("an empty input directory", () -> new String[] {"--model", model.toString(), "--input",
                    Files.createDirectories(tmp.resolve("emptydir")).toString(), "--output", out("f30")},
                        "Unable to infer schema for Parquet"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void failures(Failure f) throws Exception {
        String[] args = f.args().call();
        long goodRows = rows(good.toString());
        Outcome o = score(args);
        assertEquals(Cli.FAILED, o.status(), o.err());
        List<String> errors = o.err().lines().filter(l -> l.contains(": error: ")).toList();
        assertEquals(1, errors.size(), o.err());
        assertTrue(errors.get(0).startsWith("kit score: error: ") && errors.get(0).contains(f.expected()),
                errors.get(0));
        assertFalse(o.err().contains("\tat "), "no stack trace without --verbose: " + o.err());
        assertEquals(64, goodRows);
        assertEquals(64, rows(good.toString()), "the input is untouched");
        String output = args[List.of(args).indexOf("--output") + 1];
        if (output.startsWith(tmp.resolve("out").toString())) {
            assertFalse(Files.exists(Path.of(output)), "a failed job leaves no output it created: " + output);
        }
    }

    // ---------------------------------------------------------------- paths compared by what they are

    /** A copy of the 64 good rows at {@code name}, for a case that must not lose it. */
    private static Path copyOfGood(String name) {
        Path copy = tmp.resolve(name);
        spark.read().parquet(good.toString()).write().parquet(copy.toString());
        return copy;
    }

    static Stream<Arguments> symlinks() {
        return Stream.of(
                Arguments.of("the input is a link to the output", (Callable<String[]>) () -> {
                    Path data = copyOfGood("l1-data");
                    Path link = Files.createSymbolicLink(tmp.resolve("l1-link"), data);
                    return new String[] {"--input", link.toString(), "--output", data.toString()};
                }),
                Arguments.of("the output is a link to the input", (Callable<String[]>) () -> {
                    Path data = copyOfGood("l2-data");
                    Path link = Files.createSymbolicLink(tmp.resolve("l2-link"), data);
                    return new String[] {"--input", data.toString(), "--output", link.toString()};
                }),
                Arguments.of("the output lies below a link into the input", (Callable<String[]>) () -> {
                    Path data = copyOfGood("l3-data");
                    Path link = Files.createSymbolicLink(tmp.resolve("l3-link"), data);
                    return new String[] {"--input", data.toString(), "--output", link.resolve("scored").toString()};
                }),
                Arguments.of("the input lies below a link whose target holds the output", (Callable<String[]>) () -> {
                    Path parent = Files.createDirectories(tmp.resolve("l4-parent"));
                    Path data = parent.resolve("data");
                    spark.read().parquet(good.toString()).write().parquet(data.toString());
                    Path link = Files.createSymbolicLink(tmp.resolve("l4-link"), parent);
                    return new String[] {"--input", link.resolve("data").toString(), "--output", parent.toString()};
                }),
                Arguments.of("the input directory holds a link into the output", (Callable<String[]>) () -> {
                    Path data = copyOfGood("l5-data");
                    Path assembled = Files.createDirectories(tmp.resolve("l5-assembled"));
                    try (Stream<Path> parts = Files.list(data)) {
                        for (Path part : parts.filter(p -> p.toString().endsWith(".parquet")).toList()) {
                            Files.createSymbolicLink(assembled.resolve(part.getFileName()), part);
                        }
                    }
                    return new String[] {"--input", assembled.toString(), "--output", data.toString()};
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource
    void symlinks(String name, Callable<String[]> paths) throws Exception {
        List<String> args = new ArrayList<>(List.of(paths.call()));
        String input = args.get(1);
        assertEquals(64, rows(input));
        args.addAll(List.of("--model", model.toString(), "--overwrite"));
        Outcome o = score(args.toArray(String[]::new));
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertTrue(o.line().contains("overlaps the input " + input) && o.line().contains("symbolic link"), o.line());
        assertFalse(o.err().contains("\tat "), o.err());
        assertEquals(64, rows(input), "the input read through the link is untouched");
    }

    @Test
    void anOutputNobodyCanWriteFailsBeforeTheJob() {
        // sysfs refuses new files even to root, so this holds whoever runs the tests.
        Path readOnly = Path.of("/sys/kernel/mm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(readOnly), "needs Linux sysfs at " + readOnly);
        long before = System.nanoTime();
        Outcome o = score("--model", model.toString(), "--input", good.toString(), "--output",
                readOnly.resolve("scored").toString());
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertEquals("kit score: error: --output /sys/kernel/mm/scored cannot be written: /sys/kernel/mm does not let"
                + " this user create files (AccessDeniedException). Choose another --output.", o.line());
        assertFalse(o.err().contains("wrote"), o.err());
        assertTrue((System.nanoTime() - before) / 1e9 < 30, "before the job, not after it");
    }

    // ---------------------------------------------------------------- policies: nothing lost, nothing invented

    @Test
    void skipCountsEveryDroppedRow() {
        Outcome o = score("--model", model.toString(), "--input", invalid.toString(), "--output", out("skip"),
                "--handle-invalid", "skip", "--id", "id");
        assertEquals(Cli.OK, o.status(), o.err());
        long written = rows(out("skip"));
        assertEquals(6, written);
        assertTrue(o.err().contains("wrote 6 rows") && o.err().contains("4 invalid rows skipped"), o.err());
        assertEquals(10, written + 4, "rows in = rows out + counted skips");
    }

    @Test
    void keepGivesNullScoresNeverNaN() {
        Outcome o = score("--model", model.toString(), "--input", invalid.toString(), "--output", out("keep"),
                "--handle-invalid", "KEEP", "--id", "id");
        assertEquals(Cli.OK, o.status(), o.err());
        List<Row> scored = spark.read().parquet(out("keep")).collectAsList();
        assertEquals(10, scored.size());
        assertEquals(4, scored.stream().filter(r -> r.isNullAt(1)).count());
        assertTrue(scored.stream().filter(r -> !r.isNullAt(1)).allMatch(r -> r.getDouble(1) >= 0 && r.getDouble(1) <= 1));
        assertTrue(spark.read().parquet(out("keep")).where("id = 9").first().isNullAt(1), "MAX_VALUE is no score");
    }

    @Test
    void csvWithSpacesAfterTheCommasScores() throws IOException {
        StringBuilder csv = new StringBuilder("id, recency, frequency, monetary, tenure\n");
        List<double[]> fixture = Fixtures.expectedRows();
        for (int i = 0; i < fixture.size(); i++) {
            double[] r = fixture.get(i);
            csv.append(i).append(", ").append(r[0]).append(", ").append(r[1]).append(", ").append(r[2]).append(", ")
                    .append(r[3]).append('\n');
        }
        Outcome o = score("--model", model.toString(), "--input", write("spaced.csv", csv.toString()).toString(),
                "--output", out("spaced.csv"), "--id", "id");
        assertEquals(Cli.OK, o.status(), o.err());
        List<Row> scored = spark.read().option("header", "true").option("inferSchema", "true").csv(out("spaced.csv"))
                .orderBy("id").collectAsList();
        assertEquals(64, scored.size());
        for (Row r : scored) {
            assertEquals(fixture.get(r.getInt(0))[4], r.getDouble(1), 1e-5, "torch's score, row " + r.getInt(0));
        }
    }

    /**
     * A non-unique --id wrote 64 rows with 5 distinct ids and no word. The rows are all written;
     * the warning names the column and the counts (5 and 64, counted here by construction).
     */
    @Test
    void aNonUniqueOrNullIdIsReported() {
        Path repeated = tmp.resolve("repeated-id.parquet");
        spark.read().parquet(good.toString()).withColumn("id", functions.expr("id % 5")).write()
                .parquet(repeated.toString());
        Outcome o = score("--model", model.toString(), "--input", repeated.toString(), "--output", out("repeated"),
                "--id", "id");
        assertEquals(Cli.OK, o.status(), o.err());
        assertEquals(64, rows(out("repeated")), "every row is written");
        assertTrue(o.err().contains("kit score: warning: --id id is not unique: about 5 distinct values in 64 rows."
                + " The scores cannot be joined back to the customers one to one; choose a unique --id."), o.err());

        Path nulls = tmp.resolve("null-id.parquet");
        spark.read().parquet(good.toString()).withColumn("id", functions.expr("if(id < 3, null, id)")).write()
                .parquet(nulls.toString());
        o = score("--model", model.toString(), "--input", nulls.toString(), "--output", out("null-id"), "--id", "id");
        assertEquals(Cli.OK, o.status(), o.err());
        assertTrue(o.err().contains("kit score: warning: 3 of 64 rows have a null --id id. The scores"), o.err());

        o = score("--model", model.toString(), "--input", good.toString(), "--output", out("unique-id"), "--id", "id");
        assertEquals(Cli.OK, o.status(), o.err());
        assertFalse(o.err().contains("warning"), "64 distinct ids: " + o.err());
    }

    /**
     * An input folder of two Parquet files, the second with {@code edit} applied, whose files are
     * named a-… and b-…, so that Spark takes the schema from a (the first in order).
     */
    private static Path twoFiles(String name, java.util.function.UnaryOperator<Dataset<Row>> edit) throws IOException {
        Path flat = Files.createDirectories(tmp.resolve(name));
        Dataset<Row> all = spark.read().parquet(good.toString());
        Map<String, Dataset<Row>> parts = Map.of("a", all.where("id < 32"), "b", edit.apply(all.where("id >= 32")));
        for (Map.Entry<String, Dataset<Row>> part : parts.entrySet()) {
            Path dir = tmp.resolve(name + "-" + part.getKey());
            part.getValue().coalesce(1).write().parquet(dir.toString());
            try (Stream<Path> files = Files.list(dir)) {
                for (Path f : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
                    Files.copy(f, flat.resolve(part.getKey() + "-" + f.getFileName()));
                }
            }
        }
        return flat;
    }

    /** The one file of {@code dir} whose name starts with {@code prefix}. */
    private static String fileIn(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(f -> f.startsWith(prefix)).findFirst()
                    .orElseThrow();
        }
    }

    /** Mixed types across files gave "column: [recency], physicalType: BINARY, logicalType: double". */
    @ParameterizedTest
    @ValueSource(strings = {"error", "skip"})
    void aFileWithAnotherTypeIsNamed(String handleInvalid) throws IOException {
        Path mixed = twoFiles("mixed-" + handleInvalid, d -> d.withColumn("recency",
                functions.col("recency").cast("string")));
        Outcome o = score("--model", model.toString(), "--input", mixed.toString(), "--output",
                out("mixed-" + handleInvalid), "--handle-invalid", handleInvalid);
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertTrue(o.line().startsWith("kit score: error: Column 'recency' is double in the input's schema, but BINARY"
                + " in the file "), o.line());
        assertTrue(o.line().contains(fileIn(mixed, "b-") + ": the input's files disagree on its type."), o.line());
        assertEquals(64, rows(good.toString()), "the input is untouched");
    }

    /**
     * A file without a feature column: under error, "column 'tenure' is null" with no file named;
     * under skip, its rows were dropped as invalid without a word on why.
     */
    @Test
    void aFileWithoutAFeatureIsNamed() throws IOException {
        Path missing = twoFiles("missing", d -> d.drop("tenure"));
        String b = fileIn(missing, "b-");
        Outcome o = score("--model", model.toString(), "--input", missing.toString(), "--output", out("missing-e"));
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertTrue(o.line().startsWith("kit score: error: 1 of the input's files lack feature columns, which Spark"
                + " reads as null: "), o.line());
        assertTrue(o.line().contains(b + " lacks [tenure]. Rewrite those files with every feature"), o.line());

        o = score("--model", model.toString(), "--input", missing.toString(), "--output", out("missing-s"),
                "--handle-invalid", "skip");
        assertEquals(Cli.OK, o.status(), o.err());
        assertEquals(32, rows(out("missing-s")), "file a's rows");
        assertTrue(o.err().contains(", 32 invalid rows skipped"), o.err());
        assertTrue(o.err().contains("kit score: warning: their rows were skipped as invalid: 1 of the input's files"
                + " lack feature columns"), o.err());
        assertTrue(o.err().contains(b + " lacks [tenure]"), o.err());
    }

    @Test
    void anIdWithADotIsOneColumn() {
        Path input = tmp.resolve("dotted.parquet");
        spark.read().parquet(good.toString()).withColumnRenamed("id", "cust.id").write().parquet(input.toString());
        Outcome o = score("--model", model.toString(), "--input", input.toString(), "--output", out("dotted"),
                "--id", "cust.id");
        assertEquals(Cli.OK, o.status(), o.err());
        assertEquals(List.of("cust.id", "propensity"), List.of(spark.read().parquet(out("dotted")).columns()));
        assertEquals(64, rows(out("dotted")));
    }

    @Test
    void aFailedJobDoesNotBlockItsRerun() throws IOException {
        Path logits = modelWith("rerun", s -> s.replace("\"logit\"", "\"probability\""));
        String target = out("rerun");
        assertEquals(Cli.FAILED, score("--model", logits.toString(), "--input", good.toString(), "--output", target)
                .status());
        assertFalse(Files.exists(Path.of(target)));
        Outcome o = score("--model", model.toString(), "--input", good.toString(), "--output", target);
        assertEquals(Cli.OK, o.status(), o.err());
        assertEquals(64, rows(target));
    }

    @Test
    void overwriteReplacesOnlyWhenAsked() {
        String target = out("replace");
        assertEquals(Cli.OK, score("--model", model.toString(), "--input", good.toString(), "--output", target).status());
        assertEquals(Cli.FAILED, score("--model", model.toString(), "--input", invalid.toString(), "--output", target,
                "--handle-invalid", "skip").status());
        assertEquals(64, rows(target), "the earlier output is kept");
        assertEquals(Cli.OK, score("--model", model.toString(), "--input", invalid.toString(), "--output", target,
                "--handle-invalid", "skip", "--overwrite").status());
        assertEquals(6, rows(target));
    }

    @Test
    void batchSizesGiveTheSameScores() {
        for (String size : List.of("1", "7", "100000")) {
            Outcome o = score("--model", model.toString(), "--input", good.toString(), "--output", out("b" + size),
                    "--id", "id", "--batch-size", size, "--output-format", "csv");
            assertEquals(Cli.OK, o.status(), o.err());
            List<Row> scored = spark.read().option("header", "true").option("inferSchema", "true").csv(out("b" + size))
                    .collectAsList();
            assertEquals(64, scored.size());
            for (Row r : scored) {
                assertEquals(Fixtures.expectedRows().get(r.getInt(0))[4], r.getDouble(1), 1e-5, "batch " + size);
            }
        }
    }

    @Test
    void anEmptyParquetInputWritesAnEmptyOutput() {
        Path empty = tmp.resolve("empty.parquet");
        spark.read().parquet(good.toString()).limit(0).write().parquet(empty.toString());
        Outcome o = score("--model", model.toString(), "--input", empty.toString(), "--output", out("empty"));
        assertEquals(Cli.OK, o.status(), o.err());
        assertEquals(0, rows(out("empty")));
    }

    @Test
    void verbosePrintsTheTrace() {
        Outcome o = score("--model", tmp.resolve("none.pt").toString(), "--input", good.toString(), "--output",
                out("verbose"), "--verbose");
        assertEquals(Cli.FAILED, o.status());
        assertTrue(o.err().contains("\tat "), o.err());
    }

    // ---------------------------------------------------------------- generate

    @Test
    void generateNeverWipesADirectoryUnasked() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("mydata"));
        Files.writeString(dir.resolve("notes.txt"), "precious");
        Outcome o = run(GenerateJob::new, "--output", dir.toString(), "--rows", "100");
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertTrue(o.line().contains("--output " + dir + " already exists"), o.line());
        assertEquals("precious", Files.readString(dir.resolve("notes.txt")));

        Outcome replaced = run(GenerateJob::new, "--output", dir.toString(), "--rows", "100", "--overwrite");
        assertEquals(Cli.OK, replaced.status(), replaced.err());
        assertEquals(100, rows(dir.toString()));
    }

    @Test
    void generateNoopWritesNothing() {
        Outcome o = run(GenerateJob::new, "--output", tmp.resolve("noop").toString(), "--rows", "1000", "--format",
                "noop");
        assertEquals(Cli.OK, o.status(), o.err());
        assertFalse(Files.exists(tmp.resolve("noop")));
    }

    @Test
    void generateRefusesImpossibleRates() {
        Outcome o = run(GenerateJob::new, "--output", tmp.resolve("rates").toString(), "--treated-rate", "1.5");
        assertEquals(Cli.FAILED, o.status(), o.err());
        assertTrue(o.line().startsWith("kit generate: error: ") && o.line().contains("1.5"), o.line());
        assertFalse(Files.exists(tmp.resolve("rates")));
    }

    // ---------------------------------------------------------------- the API, in notes and jobs

    private static Dataset<Row> tenRows() {
        return spark.read().parquet(invalid.toString());
    }

    @Test
    void countOfTheSqlFunctionRunsIt() {
        PropensityModel m = Propensity.load(spark, model.toString());
        Propensity.register(spark, "p_strict", m);
        tenRows().createOrReplaceTempView("ten");
        Exception e = assertThrows(Exception.class,
                () -> spark.sql("SELECT count(p_strict(recency, frequency, monetary, tenure)) FROM ten").collect());
        assertTrue(Cli.reason(e).contains("p_strict(): feature"), Cli.reason(e));
    }

    @Test
    void countUnderKeepCountsScoredRowsOnly() {
        PropensityModel m = Propensity.load(spark, model.toString());
        Propensity.register(spark, "p_keep", m, HandleInvalid.KEEP);
        tenRows().createOrReplaceTempView("ten");
        long n = spark.sql("SELECT count(p_keep(recency, frequency, monetary, tenure)) FROM ten").first().getLong(0);
        assertEquals(6, n, "4 of the 10 rows have no score");
    }

    @Test
    void maxValueThroughTheSqlFunctionIsNoScore() {
        PropensityModel m = Propensity.load(spark, model.toString());
        Propensity.register(spark, "p_keep2", m, HandleInvalid.KEEP);
        tenRows().createOrReplaceTempView("ten");
        Row r = spark.sql("SELECT p_keep2(recency, frequency, monetary, tenure) FROM ten WHERE id = 9").first();
        assertTrue(r.isNullAt(0), "null, never NaN");
    }

    @Test
    void duplicateColumnsAfterAJoinAreAnError() {
        Dataset<Row> df = spark.read().parquet(good.toString());
        Dataset<Row> joined = df.as("a").join(df.select("id", "recency").as("b"), "id");
        PropensityModel m = Propensity.load(spark, model.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Propensity.score(joined, m));
        assertEquals("Column 'recency' is ambiguous: the DataFrame has 2 columns that match it, [recency, recency] (a"
                + " join keeps both sides' columns). Drop or rename all but one before scoring, for example with"
                + " withColumnRenamed.", e.getMessage());
    }

    @Test
    void columnsThatDifferOnlyInCaseAreAnError() {
        Dataset<Row> df = spark.read().parquet(good.toString()).select(functions.col("recency").as("Recency"),
                functions.col("recency").as("RECENCY"), functions.col("frequency"), functions.col("monetary"),
                functions.col("tenure"));
        PropensityModel m = Propensity.load(spark, model.toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Propensity.score(df, m));
        assertTrue(e.getMessage().startsWith("Column 'recency' is ambiguous: the DataFrame has 2 columns that match it,"
                + " [Recency, RECENCY] (names are matched without case)"), e.getMessage());
    }

    @Test
    void logitsDeclaredAsProbabilitiesNeverReachTheOutput() throws IOException {
        PropensityModel m = Propensity.load(spark, modelWith("api-logits",
                s -> s.replace("\"logit\"", "\"probability\"")).toString());
        Dataset<Row> input = spark.read().parquet(good.toString());
        // Whole rows; the score alone, from column vectors and from rows, where a block keeps only the id.
        Dataset<Row> scored = Propensity.scorer(m).optIdCol("id").build().transform(input);
        // The id last, so that it is at another place in the rows a block keeps.
        Dataset<Row> idLast = input.select("recency", "frequency", "monetary", "tenure", "id").where("id >= 0");
        Dataset<Row> rowWise = Propensity.scorer(m).optIdCol("id").build().transform(idLast);
        for (Dataset<Row> query : List.of(scored, scored.select("propensity"), rowWise.select("propensity"),
                rowWise.agg(functions.sum("propensity")))) {
            Exception e = assertThrows(Exception.class, query::collectAsList);
            assertTrue(Cli.reason(e).contains("outside [0, 1] as a propensity") && Cli.reason(e).contains("(id="),
                    Cli.reason(e));
        }
    }

    @Test
    void maxValueUnderKeepIsNullInTheBatchedPath() {
        PropensityModel m = Propensity.load(spark, model.toString());
        Row r = Propensity.scorer(m).optHandleInvalid("keep").build().transform(tenRows()).where("id = 9").first();
        assertNull(r.get(r.fieldIndex("propensity")));
    }

    // ---------------------------------------------------------------- display: data never becomes markup

    @Test
    void aModelAtAPathWithALineBreakPrintsOnOneLine() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("models\n%html <img src=y onerror=alert(1)>"));
        Files.copy(model, dir.resolve("tiny_mlp.pt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.copy(model.resolveSibling("tiny_mlp.json"), dir.resolve("tiny_mlp.json"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String shown = Propensity.load(spark, dir.resolve("tiny_mlp.pt").toString()).toString();
        assertEquals(1, shown.lines().count(), shown);
        assertTrue(shown.contains("models\\n%html <img"), shown);
    }

    @Test
    void tableCellsStayOneCell() {
        String table = Display.table(List.of("name", "note"), List.of(List.of("a\tb", "line1\nline2"),
                java.util.Arrays.asList("c", null)));
        assertEquals("%table name\tnote\na b\tline1 line2\nc\tnull\n\n%text ", table);
    }

    @Test
    void valuesCannotSwitchTheOutputType() {
        String evil = "x\n%html <img src=y onerror=alert(1)>";
        String html = Display.html("<p>Customer <b>%s</b>, %,d rows</p>", evil, 1234567);
        assertEquals("%html <p>Customer <b>x\n&#37;html &lt;img src=y onerror=alert(1)&gt;</b>, 1,234,567 rows</p>"
                + "\n%text ", html);
        assertEquals(2, html.lines().filter(l -> l.startsWith("%")).count(), "only the display's own markers");
        assertEquals("%html <pre class=\"kit-text\">&#37;table a\tb\n&lt;b&gt;</pre>\n%text ",
                Display.text("%table a\tb\n<b>"));
    }

    @Test
    void kitTablesKeepDataInTheirCells() {
        var balance = Display.table(io.propensitykit.causal.Effects.table(
                new io.propensitykit.causal.Effects.Estimate("naive\t<b>", 0.1, 0.0, 0.2, 10, 1)));
        assertTrue(balance.contains("\nnaive <b>\t0.1000\t0.0000\t0.2000\t10\n"), balance);
    }
}
