package io.propensitykit.bench;

import io.propensitykit.cli.Cli;
import io.propensitykit.cli.ProgressListener;
import io.propensitykit.cli.SparkApp;
import io.propensitykit.model.FeatureEncoder;
import io.propensitykit.model.MlpArchitecture;
import io.propensitykit.model.ModelFormat;
import io.propensitykit.model.ModelLease;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.ModelMetadata;
import io.propensitykit.model.OutputKind;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.model.RawValues;
import io.propensitykit.spark.Propensity;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

import org.apache.spark.SparkConf;
import org.apache.spark.ml.classification.LogisticRegression;
import org.apache.spark.ml.classification.LogisticRegressionModel;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * {@code kit bench}: scoring throughput measured side by side in one run, after a warm-up, on the
 * same Parquet data, in rounds that interleave the methods (each round starting one method later):
 * <ul>
 * <li>{@code batched}: the batched scorer on the Parquet read, which it scores from the scan's column
 *     vectors; {@code sql_batched}: the same through SQL's {@code propensity_scores} table function;
 * <li>{@code batched_rows}: the batched scorer on the same rows behind a filter that keeps them all,
 *     which is not a plain scan and so takes the row path, as most DataFrames in notes do;
 * <li>{@code row_udf}: the row-at-a-time SQL function; {@code mllib}: VectorAssembler +
 *     LogisticRegression; {@code scan}: Spark's sum of the feature columns;
 * <li>the bounds: {@code columnar_scan} (every feature value read from the scan's column vectors,
 *     no row made, in a query of the same shape), {@code row_pass} (the row path with the model replaced by a constant: what Spark
 *     costs to hand every row to a scorer and back) and {@code model_alone} (the predictor in a plain
 *     loop over the same batches, on as many threads, without Spark). They share the cores, so
 *     {@code columnar_limit = 1/(1/columnar_scan + 1/model_alone)} bounds the columnar path and
 *     {@code limit = 1/(1/row_pass + 1/model_alone)} the row path.
 * </ul>
 *
 * <p>Each method ends in one aggregate over its output so that every row is produced and nothing
 * is collected. A measurement repeats a method's run until it has lasted 2 s, so that a short job's
 * fixed costs (planning, scheduling) and the machine's jitter weigh little; the median of the
 * rounds counts. The slow baselines (row UDF, MLlib) run after the fast methods in each round, and
 * each ratio is taken within a round, the median over the rounds printed: a bound is measured
 * seconds from the method it bounds, while this machine's speed drifts by more from minute to
 * minute. The last line is {@code ratios: batched/row_udf=A batched/mllib=B batched/scan=C
 * batched/limit=D sql_batched/row_udf=E batched/columnar_limit=F sql_batched/columnar_limit=G
 * batched_rows/limit=H}.
 *
 * <p>{@code --end-to-end} times kit score's job instead (read Parquet, score, write Parquet) against
 * {@code copy} (the same read and write with a constant column) and {@code model_alone}, and ends
 * with {@code ratios: score/e2e_limit=A score/copy=B}, {@code e2e_limit = 1/(1/copy + 1/model_alone)}.
 * {@code --note-calls} times the notes' kit calls on small data instead ({@link NoteCalls}).
 */
@Command(name = "kit bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Measures the batched scorer (on a plain scan, through SQL, and on rows), the row UDF, MLlib and"
                + " the limits (columnar scan or row pass, plus the model alone) side by side in one run.")
public final class ScoringBenchmark implements Callable<Integer> {

    private static final int FEATURES = 20;
    private static final String[] METHODS = {"batched", "sql_batched", "batched_rows", "row_udf", "mllib", "scan",
        "columnar_scan", "row_pass", "model_alone"};
    private static final String[] END_TO_END = {"score", "copy", "model_alone"};
    /** The baselines that take tens of seconds a run: measured after the fast methods in each round. */
    private static final java.util.Set<String> SLOW = java.util.Set.of("row_udf", "mllib");
    /** A measurement repeats a method's run until it has lasted this long. */
    private static final double MIN_SECONDS = 2.0;

    @Spec
    private CommandSpec spec;

    private long rows = 2_000_000;
    private boolean rowsGiven;
    private int batchSize = 4096;
    /**
     * Rounds: five, since one method's run took 2 to 4 times as long in one round as in another on
     * this machine class, and the median of three moved with a single slow round.
     */
    private int repeat = 5;
    private Long udfRows;

    @Option(names = "--master", paramLabel = "URL", defaultValue = "local[2]",
            description = "Spark master (default ${DEFAULT-VALUE})")
    private String master;

    @Option(names = "--verbose", description = "print the full stack trace of a failure")
    private boolean verbose;

    @Option(names = "--each-round", description = "print every timed run, not only the medians")
    private boolean eachRound;

    @Option(names = "--note-calls", description = "time each kit call the notes make on small cached data, warm"
            + " (--rows defaults to 10000 here), against a 1-second target")
    private boolean noteCalls;

    @Option(names = "--end-to-end", description = "time kit score's job (read Parquet, score, write Parquet) against"
            + " the same read and write with a constant column (copy) and the model alone")
    private boolean endToEnd;

    ScoringBenchmark() {}

    @Option(names = "--rows", paramLabel = "N", description = "rows of generated data (default 2000000)")
    void rows(long n) {
        this.rows = Cli.positive(spec, "--rows", n);
        this.rowsGiven = true;
    }

    @Option(names = "--batch-size", paramLabel = "N", description = "rows per model call (default 4096)")
    void batchSize(int n) {
        this.batchSize = (int) Cli.positive(spec, "--batch-size", n);
    }

    @Option(names = "--repeat", paramLabel = "N", description = "rounds, each timing every method once; the median over the rounds counts"
            + " (default 5)")
    void repeat(int n) {
        this.repeat = (int) Cli.positive(spec, "--repeat", n);
    }

    @Option(names = "--udf-rows", paramLabel = "N", description = "run the slow row UDF on this many rows (default: all)")
    void udfRows(long n) {
        this.udfRows = Cli.positive(spec, "--udf-rows", n);
    }

    private List<String> only;

    @Option(names = "--methods", split = ",", paramLabel = "a,b",
            description = "measure only these methods, in this order, for profiling one (default: all; the ratios"
                    + " need all)")
    void methods(List<String> names) {
        List<String> known = Stream.concat(Stream.of(METHODS), Stream.of(END_TO_END)).distinct().toList();
        for (String name : names) {
            if (!known.contains(name)) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--methods: unknown method '"
                        + name + "'; the methods are " + known);
            }
        }
        this.only = List.copyOf(names);
    }

    /**
     * Runs the benchmark and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        Cli.exit(new ScoringBenchmark(), args);
    }

    @Override
    public Integer call() throws IOException {
        if (noteCalls && endToEnd) {
            throw Cli.usage(spec, "--note-calls and --end-to-end are two benchmarks; run one at a time");
        }
        long udfN = udfRows == null ? rows : Math.min(udfRows, rows);
        Path work = Files.createTempDirectory("kit-bench");
        // The generated data is the benchmark's own: removed however the run ends, Ctrl-C included.
        Thread cleanup = new Thread(() -> deleteQuietly(work), "kit-bench-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
        // The notes' own setting for --note-calls; the scoring methods shuffle one row per task.
        SparkConf conf = new SparkConf().setMaster(master).setAppName("kit bench").set("spark.ui.enabled", "false")
                .set("spark.sql.shuffle.partitions", noteCalls ? "8" : "2");
        SparkApp.shipKit(conf);
        // On a cluster the executors need the benchmark's own row pass too.
        SparkApp.ship(conf, ScoringBenchmark.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            if (noteCalls) {
                NoteCalls.run(spark, rowsGiven ? rows : 10_000, repeat);
                return Cli.OK;
            }
            measure(spark, work, udfN);
            return Cli.OK;
        } finally {
            spark.stop();
            deleteQuietly(work);
            Runtime.getRuntime().removeShutdownHook(cleanup);
        }
    }

    private void measure(SparkSession spark, Path work, long udfN) throws IOException {
        List<String> names = new ArrayList<>();
        for (int j = 0; j < FEATURES; j++) {
            names.add("f" + j);
        }
        PropensityModel model = Propensity.load(spark, saveModel(work.resolve("mlp"), names).toString());
        Path data = work.resolve("data.parquet");
        writeData(spark, rows, data);
        Dataset<Row> df = spark.read().parquet(data.toString());
        Path udfData = work.resolve("udf.parquet");
        Dataset<Row> udfDf = null;
        if (!endToEnd) {
            df.limit((int) udfN).write().parquet(udfData.toString());
            udfDf = spark.read().parquet(udfData.toString());
        }

        int threads = spark.sparkContext().defaultParallelism();
        Map<String, Method> methods = endToEnd ? endToEnd(work, model, df) : scoring(spark, model, df, udfDf, udfData,
                udfN, names);
        methods.put("model_alone", modelAlone(model, df, names, threads));
        if (only != null) {
            // In the order given, so that a method's place in the round can be varied.
            Map<String, Method> chosen = new LinkedHashMap<>();
            for (String name : only) {
                if (!methods.containsKey(name)) {
                    throw new IllegalArgumentException("--methods: '" + name + "' is not measured in this mode; it"
                            + " measures " + methods.keySet());
                }
                chosen.put(name, methods.get(name));
            }
            methods.clear();
            methods.putAll(chosen);
        }
        System.out.printf(Locale.ROOT, "bench: %,d rows x %d float features%s, %s, MLP 20-64-32-1 (DJL, PyTorch"
                + " engine), batch %d, median of %d rounds of at least %.0f s each after a warm-up%s%n", rows, FEATURES,
                endToEnd ? "" : String.format(Locale.ROOT, " (row_udf on %,d)", udfN), master, batchSize, repeat,
                MIN_SECONDS,
                endToEnd ? "; end to end: read Parquet, score or copy, write Parquet" : "");
        Map<String, double[]> rates = time(methods);
        System.out.printf(Locale.ROOT, "peak RSS %d MB%n", ProgressListener.peakRssMb());
        if (only != null) {
            return;
        }
        // Every ratio is taken within a round, from measurements minutes apart at most, and the
        // median over the rounds is printed: this machine's speed drifts more between rounds than
        // within one.
        Ratios r = new Ratios(rates, repeat);
        if (endToEnd) {
            // Reading and writing share the cores with the model: a job can go no faster than their serial sum.
            System.out.printf(Locale.ROOT, "%-14s %,14.0f %10.2f   = 1/(1/copy + 1/model_alone)%n", "e2e_limit",
                    r.limit("copy"), rows / r.limit("copy"));
            System.out.println("ratios: each the median over the rounds of that round's own ratio");
            System.out.printf(Locale.ROOT, "ratios: score/e2e_limit=%.2f score/copy=%.2f%n",
                    r.toLimit("score", "copy"), r.of("score", "copy"));
            return;
        }
        // Both run on the same cores, so scoring can go no faster than their serial sum.
        System.out.printf(Locale.ROOT, "%-14s %,14.0f %10.2f   = 1/(1/row_pass + 1/model_alone), the row path's%n",
                "limit", r.limit("row_pass"), rows / r.limit("row_pass"));
        System.out.printf(Locale.ROOT, "%-14s %,14.0f %10.2f   = 1/(1/columnar_scan + 1/model_alone), a plain"
                + " scan's%n", "columnar_limit", r.limit("columnar_scan"), rows / r.limit("columnar_scan"));
        System.out.println("ratios: each the median over the rounds of that round's own ratio");
        System.out.printf(Locale.ROOT, "ratios: batched/row_udf=%.2f batched/mllib=%.2f batched/scan=%.2f batched/limit=%.2f"
                + " sql_batched/row_udf=%.2f batched/columnar_limit=%.2f sql_batched/columnar_limit=%.2f"
                + " batched_rows/limit=%.2f%n",
                r.of("batched", "row_udf"), r.of("batched", "mllib"), r.of("batched", "scan"),
                r.toLimit("batched", "row_pass"), r.of("sql_batched", "row_udf"),
                r.toLimit("batched", "columnar_scan"), r.toLimit("sql_batched", "columnar_scan"),
                r.toLimit("batched_rows", "row_pass"));
    }

    /** Ratios of the methods' rates, each taken within a round; the median over the rounds counts. */
    private record Ratios(Map<String, double[]> rates, int rounds) {
        /** The median over the rounds of {@code a}'s rate over {@code b}'s. */
        double of(String a, String b) {
            return median(i -> rates.get(a)[i] / rates.get(b)[i]);
        }

        /** The median over the rounds of {@code a}'s rate over the limit of {@code pass} plus the model alone. */
        double toLimit(String a, String pass) {
            return median(i -> rates.get(a)[i] * (1 / rates.get(pass)[i] + 1 / rates.get("model_alone")[i]));
        }

        /** The median over the rounds of {@code 1/(1/pass + 1/model_alone)}. */
        double limit(String pass) {
            return median(i -> 1 / (1 / rates.get(pass)[i] + 1 / rates.get("model_alone")[i]));
        }

        private double median(java.util.function.IntToDoubleFunction perRound) {
            double[] values = new double[rounds];
            for (int i = 0; i < rounds; i++) {
                values[i] = perRound.applyAsDouble(i);
            }
            Arrays.sort(values);
            return values[rounds / 2];
        }
    }

    /**
     * The scoring methods, each over the same Parquet read but the row UDF (over its own slice) and
     * {@code batched_rows} and {@code row_pass}, which read it through a filter that keeps every
     * row: a DataFrame that is not a plain scan, as notes mostly score, takes the row path.
     */
    private Map<String, Method> scoring(SparkSession spark, PropensityModel model, Dataset<Row> df,
            Dataset<Row> udfDf, Path udfData, long udfN, List<String> names) {
        Propensity.register(spark, "propensity", model);
        LogisticRegressionModel lr = fitLogistic(df.limit(20_000), names);
        Map<String, Function<Dataset<Row>, Dataset<Row>>> queries = queries(spark, model, lr, names);

        // Warm-up: every method once over a slice, so that JIT compilation and the model load are
        // not timed.
        Dataset<Row> warm = spark.read().parquet(udfData.toString()).limit((int) Math.min(udfN, 200_000));
        Map<String, Method> methods = new LinkedHashMap<>();
        for (Map.Entry<String, Function<Dataset<Row>, Dataset<Row>>> q : queries.entrySet()) {
            boolean udf = "row_udf".equals(q.getKey());
            Dataset<Row> input = udf ? udfDf : df;
            methods.put(q.getKey(), new Method(udf ? udfN : rows, () -> q.getValue().apply(input).collectAsList(),
                    () -> q.getValue().apply(warm).collectAsList(), null));
            if (q.getKey().equals("scan")) {
                Dataset<Row> warmScan = spark.read().parquet(udfData.toString());
                methods.put("columnar_scan", new Method(rows,
                        () -> ColumnarScan.of(df, names).agg(functions.sum("read")).collectAsList(),
                        () -> ColumnarScan.of(warmScan, names).agg(functions.sum("read")).collectAsList(), null));
            }
        }
        return methods;
    }

    /**
     * kit score's job, read Parquet, score, write Parquet (every column and the score), against the
     * same read and write with a constant in place of the score. Each run writes a new folder,
     * removed after it, untimed.
     */
    private Map<String, Method> endToEnd(Path work, PropensityModel model, Dataset<Row> df) {
        Map<String, Method> methods = new LinkedHashMap<>();
        Map<String, Function<Dataset<Row>, Dataset<Row>>> jobs = new LinkedHashMap<>();
        jobs.put("score", d -> Propensity.scorer(model).optBatchSize(batchSize).build().transform(d));
        jobs.put("copy", d -> d.withColumn("propensity", functions.lit(0.5)));
        Dataset<Row> warm = df.limit(200_000);
        for (Map.Entry<String, Function<Dataset<Row>, Dataset<Row>>> job : jobs.entrySet()) {
            Path out = work.resolve("out-" + job.getKey());
            methods.put(job.getKey(), new Method(rows,
                    () -> job.getValue().apply(df).write().parquet(out.toString()),
                    () -> job.getValue().apply(warm).write().parquet(out.toString()),
                    () -> deleteQuietly(out)));
        }
        return methods;
    }

    /** Each method as a query over the input that sums its scores, so that every row is scored. */
    private Map<String, Function<Dataset<Row>, Dataset<Row>>> queries(SparkSession spark, PropensityModel model,
            LogisticRegressionModel lr, List<String> names) {
        Column[] cols = names.stream().map(functions::col).toArray(Column[]::new);
        Map<String, Function<Dataset<Row>, Dataset<Row>>> queries = new LinkedHashMap<>();
        queries.put("batched", d -> Propensity.scorer(model).optBatchSize(batchSize).build().transform(d)
                .agg(functions.sum("propensity")));
        // A filter that keeps every row: the plan is no longer a plain scan, so the scorer reads rows.
        Function<Dataset<Row>, Dataset<Row>> rowInput = d -> d.where(functions.col("id").geq(0));
        queries.put("batched_rows", d -> Propensity.scorer(model).optBatchSize(batchSize).build()
                .transform(rowInput.apply(d)).agg(functions.sum("propensity")));
        // A user names a table once and queries it: the view is made when the input changes (from the
        // warm-up's slice to the data), not in every timed run, where it took 5 ms of a 0.3 s query.
        List<Dataset<Row>> viewOf = new ArrayList<>(List.of(spark.emptyDataFrame()));
        queries.put("sql_batched", d -> {
            if (viewOf.get(0) != d) {
                d.createOrReplaceTempView("kit_bench_input");
                viewOf.set(0, d);
            }
            return spark.sql("SELECT sum(propensity) FROM propensity_scores('kit_bench_input', 'propensity')");
        });
        queries.put("row_udf", d -> d.select(functions.call_function("propensity", cols).as("p"))
                .agg(functions.sum("p")));
        queries.put("mllib", d -> lr.transform(new VectorAssembler().setInputCols(names.toArray(new String[0]))
                .setOutputCol("features").transform(d))
                .agg(functions.sum(functions.element_at(
                        org.apache.spark.ml.functions.vector_to_array(functions.col("probability"), "float64"),
                        2))));
        queries.put("scan", d -> d.agg(functions.sum(names.stream().map(functions::col)
                .reduce(Column::plus).orElseThrow())));
        queries.put("row_pass", d -> RowPass.of(rowInput.apply(d), names, "propensity")
                .agg(functions.sum("propensity")));
        return queries;
    }

    /**
     * Warms every method up, then times them in interleaved rounds; prints each one's median rows/s
     * and returns its rows/s in each round.
     */
    private Map<String, double[]> time(Map<String, Method> methods) {
        methods.values().forEach(m -> {
            m.warmUp().run();
            cleanUp(m);
        });
        // Rounds interleave the methods, so that a machine that speeds up or slows down during the
        // run moves every method alike and the ratios hold. The slow baselines run after the fast
        // methods, so that a fast method and its bound are measured seconds apart, not minutes.
        Map<String, double[]> seconds = new LinkedHashMap<>();
        Map<String, Integer> runs = new LinkedHashMap<>();
        methods.keySet().forEach(name -> seconds.put(name, new double[repeat]));
        List<String> fast = new ArrayList<>(methods.keySet());
        fast.removeAll(SLOW);
        List<String> slow = new ArrayList<>(methods.keySet());
        slow.retainAll(SLOW);
        for (int r = 0; r < repeat; r++) {
            List<String> order = new ArrayList<>(fast);
            order.addAll(slow);
            for (String name : order) {
                Method m = methods.get(name);
                // Runs until the measurement has lasted MIN_SECONDS, so that a sub-second job's fixed
                // costs and the machine's jitter weigh as little as a long one's.
                double total = 0;
                int count = 0;
                while (total < MIN_SECONDS) {
                    total += once(m);
                    count++;
                }
                seconds.get(name)[r] = total / count;
                runs.put(name, Math.max(runs.getOrDefault(name, 0), count));
                if (eachRound) {
                    System.out.printf(Locale.ROOT, "round %d %-14s %.3f s a run, %d runs%n", r, name,
                            seconds.get(name)[r], runs.get(name));
                }
            }
            // Each round starts one method later, so that no method always runs first or after the same one.
            java.util.Collections.rotate(fast, -1);
            java.util.Collections.rotate(slow, -1);
        }
        System.out.printf("%-14s %14s %10s %6s %8s%n", "method", "rows/s", "s a run", "runs", "max/min");
        Map<String, double[]> rates = new LinkedHashMap<>();
        for (Map.Entry<String, Method> m : methods.entrySet()) {
            double[] s = seconds.get(m.getKey());
            double[] rate = new double[repeat];
            for (int i = 0; i < repeat; i++) {
                rate[i] = m.getValue().rows() / s[i];
            }
            rates.put(m.getKey(), rate);
            double[] sorted = s.clone();
            Arrays.sort(sorted);
            double median = sorted[repeat / 2];
            System.out.printf(Locale.ROOT, "%-14s %,14.0f %10.2f %6d %8.2f%n", m.getKey(),
                    m.getValue().rows() / median, median, runs.get(m.getKey()), sorted[repeat - 1] / sorted[0]);
        }
        return rates;
    }

    /** One timed run of a method, its cleanup after, untimed. */
    private static double once(Method m) {
        long start = System.nanoTime();
        m.run().run();
        double seconds = (System.nanoTime() - start) / 1e9;
        cleanUp(m);
        return seconds;
    }

    private static void cleanUp(Method m) {
        if (m.cleanup() != null) {
            m.cleanup().run();
        }
    }

    /** One measured method: the rows a run scores, a timed run, a warm-up, and what to undo after each, untimed. */
    private record Method(long rows, Runnable run, Runnable warmUp, Runnable cleanup) {}

    /**
     * The DJL predictor alone, with no Spark: {@code threads} threads, each with its own lease,
     * predict the same encoded batches of the data in a plain loop until they have scored
     * {@code rows} rows between them.
     */
    private Method modelAlone(PropensityModel model, Dataset<Row> df, List<String> names, int threads) {
        int batches = 16;
        FeatureEncoder encoder = model.metadata().encoding().encoder();
        int width = encoder.width();
        List<Row> sample = df.select(names.stream().map(functions::col).toArray(Column[]::new))
                .limit(batches * batchSize).collectAsList();
        float[][] encoded = new float[batches][batchSize * width];
        RawValues values = new RawValues();
        for (int i = 0; i < batches * batchSize; i++) {
            Row r = sample.get(i % sample.size());
            Object[] raw = new Object[names.size()];
            for (int j = 0; j < raw.length; j++) {
                raw[j] = r.get(j);
            }
            if (encoder.encode(values.at(raw), encoded[i / batchSize], (i % batchSize) * width) != null) {
                throw new IllegalStateException("the benchmark's own data cannot be encoded: " + List.of(raw));
            }
        }
        long perThread = rows / threads;
        Runnable work = () -> {
            try (ModelLease lease = ModelRuntime.lease(model, batchSize)) {
                for (long done = 0, k = 0; done < perThread; done += batchSize, k++) {
                    lease.batch().addEncoded(encoded[(int) (k % batches)], batchSize);
                    lease.predict();
                }
            }
        };
        Runnable run = () -> {
            List<Thread> running = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread thread = new Thread(work, "kit-bench-model-" + t);
                thread.start();
                running.add(thread);
            }
            for (Thread thread : running) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted", e);
                }
            }
        };
        return new Method(perThread * threads, run, run, null);
    }

    /** A DJL MLP with seeded random weights, saved with its metadata, as a trained model would be. */
    static Path saveModel(Path dir, List<String> names) throws IOException {
        io.propensitykit.model.EngineDefaults.apply();
        Engine.getEngine("PyTorch").setRandomSeed(42);
        MlpArchitecture arch = new MlpArchitecture(List.of(64, 32), "relu", true);
        Files.createDirectories(dir);
        try (Model model = Model.newInstance("bench_mlp", "PyTorch");
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Block block = arch.newBlock();
            model.setBlock(block);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, names.size()));
            model.save(dir, "bench_mlp");
        }
        ModelMetadata.builder().setFeatures(names).optName("bench_mlp").optFormat(ModelFormat.DJL)
                .optArchitecture(arch).optOutput(OutputKind.PROBABILITY).build().writeFor(dir);
        return dir;
    }

    private static void writeData(SparkSession spark, long rows, Path path) {
        List<Column> cols = new ArrayList<>();
        cols.add(functions.col("id"));
        for (int j = 0; j < FEATURES; j++) {
            cols.add(functions.randn(1000 + j).cast("float").as("f" + j));
        }
        spark.range(0, rows, 1, 4).select(cols.toArray(new Column[0])).write().parquet(path.toString());
    }

    private static LogisticRegressionModel fitLogistic(Dataset<Row> sample, List<String> names) {
        Dataset<Row> assembled = new VectorAssembler().setInputCols(names.toArray(new String[0]))
                .setOutputCol("features").transform(sample)
                .withColumn("label", functions.expr("CAST(f0 + f1 > 0 AS DOUBLE)"));
        return new LogisticRegression().setMaxIter(5).fit(assembled)
                .setPredictionCol("").setRawPredictionCol("");
    }

    private static void deleteQuietly(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("kit bench: could not remove " + root + ": " + e.getMessage());
        }
    }
}
