package io.propensitykit.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.propensitykit.cli.Cli;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code kit bench}'s command line, as the kit's other commands are held to it (status 2, one line
 * that names the option, then the usage; no stack trace), and its row pass on a small frame. The
 * timed run itself is CI's last step ({@code .ci/run}), which checks the ratios line.
 */
class ScoringBenchmarkTest {

    private record Outcome(int status, String err) {}

    private static Outcome run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        int status = Cli.execute(new ScoringBenchmark(), stream, stream, args);
        return new Outcome(status, bytes.toString(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "--rows|abc|Invalid value for option '--rows': 'abc' is not a long",
        "--rows|0|Invalid value for option '--rows': 0 is not a positive number",
        "--repeat|0|Invalid value for option '--repeat': 0 is not a positive",
        "--batch-size|-1|'--batch-size': -1 is not a positive number",
        "--udf-rows|x|Invalid value for option '--udf-rows': 'x' is not a long",
        "--methods|batched,fast|--methods: unknown method 'fast'; the methods are [batched, sql_batched,",
        "--size|10|Unknown options: '--size', '10'"})
    void badOptionsAreUsageErrors(String option, String value, String expected) {
        Outcome o = run(option, value);
        assertEquals(Cli.USAGE, o.status(), o.err());
        String first = o.err().lines().findFirst().orElse("");
        assertTrue(first.startsWith("kit bench: ") && first.contains(expected), first);
        assertTrue(o.err().contains("Usage: kit bench"), "the usage follows: " + o.err());
        assertFalse(o.err().contains("\tat "), o.err());
    }

    @ParameterizedTest
    @CsvSource({"--help,Usage: kit bench", "-h,--udf-rows=N"})
    void helpRunsNothing(String flag, String expected) throws IOException {
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        long before = benchDirs(temp);
        Outcome o = run(flag);
        assertEquals(Cli.OK, o.status(), o.err());
        assertTrue(o.err().contains(expected), o.err());
        assertEquals(before, benchDirs(temp), "help runs nothing and leaves nothing in " + temp);
    }

    private static long benchDirs(Path temp) throws IOException {
        try (Stream<Path> list = Files.list(temp)) {
            return list.filter(p -> p.getFileName().toString().startsWith("kit-bench")).count();
        }
    }

    @Test
    void rowPassHandsBackEveryRowWithOneConstantColumn() {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("row pass")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            Dataset<Row> df = spark.range(0, 1000, 1, 3).select(functions.col("id"),
                    functions.col("id").cast("float").as("f0"),
                    functions.when(functions.col("id").mod(7).equalTo(0), null)
                            .otherwise(functions.randn(3)).cast("float").as("f1"));
            Dataset<Row> passed = RowPass.of(df, List.of("f0", "f1"), "propensity");
            assertEquals(List.of("id", "f0", "f1", "propensity"), List.of(passed.columns()));
            Row totals = passed.agg(functions.count("*"), functions.sum("id"), functions.min("propensity"),
                    functions.max("propensity")).first();
            // Every row once (ids 0..999 sum to 999 * 1000 / 2), each with the constant 0.5, nulls included.
            assertEquals(1000L, totals.getLong(0));
            assertEquals(499_500L, totals.getLong(1));
            assertEquals(0.5, totals.getDouble(2), 0.0);
            assertEquals(0.5, totals.getDouble(3), 0.0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> RowPass.of(df, List.of("f0", "id"), "propensity"));
            assertEquals("row_pass reads float columns; 'id' is bigint", e.getMessage());
        } finally {
            spark.stop();
        }
    }
    @Test
    void columnarScanReadsEveryValueOfAPlainScan(@TempDir Path dir) {
        SparkSession spark = SparkSession.builder().master("local[2]").appName("columnar scan")
                .config("spark.ui.enabled", "false").getOrCreate();
        try {
            String path = dir.resolve("data.parquet").toString();
            spark.range(0, 5000, 1, 3).select(functions.col("id"),
                    functions.col("id").cast("float").as("f0"),
                    functions.when(functions.col("id").mod(7).equalTo(0), null)
                            .otherwise(functions.randn(3)).cast("float").as("f1"))
                    .write().parquet(path);
            Dataset<Row> df = spark.read().parquet(path);
            // The reference: Spark's own sum of the same values, nulls left out, in double.
            double expected = df.agg(functions.sum(functions.coalesce(functions.col("f0").cast("double"),
                    functions.lit(0.0)).plus(functions.coalesce(functions.col("f1").cast("double"),
                    functions.lit(0.0))))).first().getDouble(0);
            Dataset<Row> sums = ColumnarScan.of(df, List.of("f0", "f1"));
            assertEquals(df.javaRDD().getNumPartitions(), sums.count(), "one row per partition");
            assertEquals(expected, sums.agg(functions.sum("read")).first().getDouble(0), 1e-9 * Math.abs(expected));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ColumnarScan.of(df.where("id > 3").union(df), List.of("f0")));
            assertTrue(e.getMessage().startsWith("columnar_scan needs a plain Parquet or ORC read"), e.getMessage());
        } finally {
            spark.stop();
        }
    }

    @Test
    void theModesAreOneAtATime() {
        Outcome o = run("--note-calls", "--end-to-end");
        assertEquals(Cli.USAGE, o.status(), o.err());
        assertTrue(o.err().startsWith("kit bench: --note-calls and --end-to-end are two benchmarks; run one at a"
                + " time"), o.err());
    }
}
