package io.propensitykit.causal;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A bootstrap of a whole analysis: every replicate resamples the rows and runs every step again,
 * the propensity fit included, so the interval carries the uncertainty of the fitted score and
 * not only that of the last step (which is all {@link Effects}' one-pass bootstrap resamples).
 *
 * <pre>{@code
 * Effects.Estimate refitted = Bootstrap.on(nsw).setName("stratification, refitted")
 *     .setPipeline((sample, dir) -> {
 *         try (PropensityModel model = Propensity.load(spark, trainer.fit(sample).save(dir).toString())) {
 *             Dataset<Row> scored = Propensity.scorer(model).optOutputCol("p").build().transform(sample);
 *             return Stratification.on(Overlap.commonSupport(scored, "p", "treat")).setScore("p")
 *                 .setTreatment("treat").optEstimand(Estimand.ATT).optBalanced().compute()
 *                 .effect("re78", 20, 1).estimate();
 *         }
 *     }).optReplicates(50).optSeed(1).optProgress(System.out::println).compute();
 * }</pre>
 *
 * <p>Replicate {@code b} is Spark's Poisson resample {@code df.sample(true, 1.0, seed + b)}: rows
 * repeat, so a row id is no longer unique in it; the column {@link #DRAW_ID} is (matching needs
 * one). The same data, partitioning and seed give the same interval: cache or sort the input
 * first if its partitioning could change between runs. Each call of the pipeline gets a fresh
 * scratch directory for what it writes (a fitted model), deleted when the call returns.
 */
public final class Bootstrap {

    /** A unique id of each drawn row, added to the input and to every resample. */
    public static final String DRAW_ID = "bootstrap_draw";

    /** Resamples when none are set. */
    public static final int DEFAULT_REPLICATES = 50;

    private final Dataset<?> df;
    private String name;
    private Pipeline pipeline;
    private int replicates = DEFAULT_REPLICATES;
    private long seed = 1;
    private Consumer<String> progress;

    private Bootstrap(Dataset<?> df) {
        this.df = java.util.Objects.requireNonNull(df, "df");
    }

    /**
     * Starts a bootstrap of an analysis of these rows: name it, give its pipeline, then {@link #compute()}.
     *
     * @param df the rows
     * @return the bootstrap to configure
     */
    public static Bootstrap on(Dataset<?> df) {
        return new Bootstrap(df);
    }

    /**
     * The estimate's name, as tables show it (required).
     *
     * @param method for example "stratification (ATT), refitted"
     * @return this bootstrap
     */
    public Bootstrap setName(String method) {
        this.name = method;
        return this;
    }

    /**
     * The analysis run on the rows and on every resample (required).
     *
     * @param analysis from a sample and a scratch directory to an estimate
     * @return this bootstrap
     */
    public Bootstrap setPipeline(Pipeline analysis) {
        this.pipeline = analysis;
        return this;
    }

    /**
     * Resamples ({@value #DEFAULT_REPLICATES} by default).
     *
     * @param n at least 20
     * @return this bootstrap
     */
    public Bootstrap optReplicates(int n) {
        PoissonBootstrap.requireReplicates(n);
        this.replicates = n;
        return this;
    }

    /**
     * The resampling seed (1 by default).
     *
     * @param s the seed
     * @return this bootstrap
     */
    public Bootstrap optSeed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * Told after each replicate, for example {@code println}; silent by default.
     *
     * @param listener takes one line per replicate
     * @return this bootstrap
     */
    public Bootstrap optProgress(Consumer<String> listener) {
        this.progress = listener;
        return this;
    }

    /**
     * Runs the pipeline on the rows and on every resample.
     *
     * @return the run on the rows, with the 2.5% and 97.5% percentiles of the resampled runs
     */
    public Effects.Estimate compute() {
        if (pipeline == null) {
            throw new IllegalStateException("Give the analysis first, for example setPipeline((sample, dir) =>"
                    + " ...estimate).");
        }
        return pipeline(Settings.required(name, "the estimate", "setName(\"stratification, refitted\")"), df,
                replicates, seed, progress, pipeline);
    }

    /** One run of the analysis on a sample. */
    @FunctionalInterface
    public interface Pipeline {

        /**
         * Runs the analysis.
         *
         * @param sample the rows (the input itself, or a resample), with {@link #DRAW_ID}
         * @param scratch an empty directory for this run's files, deleted afterwards
         * @return the estimate
         * @throws Exception when a step fails; the bootstrap stops and says which replicate
         */
        double estimate(Dataset<Row> sample, Path scratch) throws Exception;
    }

    /**
     * Runs the pipeline on the rows and on {@code replicates} resamples of them; the estimate is
     * the run on the rows, the interval the 2.5% and 97.5% percentiles of the resampled runs.
     *
     * @param method the estimate's name
     * @param df the rows
     * @param replicates resamples, at least 20
     * @param seed the resampling seed
     * @param progress told after each replicate (for example {@code println}); may be null
     * @param pipeline the analysis
     * @return the estimate and its interval
     */
    static Effects.Estimate pipeline(String method, Dataset<?> df, int replicates, long seed,
            Consumer<String> progress, Pipeline pipeline) {
        PoissonBootstrap.requireReplicates(replicates);
        Dataset<Row> rows = df.toDF();
        if (Arrays.asList(rows.columns()).contains(DRAW_ID)) {
            throw new IllegalArgumentException("The rows already have a column '" + DRAW_ID + "', which the"
                    + " bootstrap adds; rename it first.");
        }
        long start = System.nanoTime();
        double estimate = run(pipeline, rows.withColumn(DRAW_ID, functions.monotonically_increasing_id()), "the rows");
        double[] boot = new double[replicates];
        for (int b = 0; b < replicates; b++) {
            Dataset<Row> sample = rows.sample(true, 1.0, seed + b).withColumn(DRAW_ID,
                    functions.monotonically_increasing_id());
            String which = "replicate " + (b + 1) + " of " + replicates + " (seed " + (seed + b) + ")";
            boot[b] = run(pipeline, sample, which);
            if (progress != null) {
                progress.accept(String.format(Locale.ROOT, "%s: replicate %d/%d, %.0f s", method, b + 1, replicates,
                        (System.nanoTime() - start) / 1e9));
            }
        }
        Arrays.sort(boot);
        return new Effects.Estimate(method, estimate, PoissonBootstrap.percentile(boot, 0.025),
                PoissonBootstrap.percentile(boot, 0.975), replicates, seed);
    }

    private static double run(Pipeline pipeline, Dataset<Row> sample, String which) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("propensity-kit-bootstrap-");
        } catch (IOException e) {
            throw new UncheckedIOException("Could not make a scratch directory for the bootstrap", e);
        }
        double value;
        try {
            value = pipeline.estimate(sample, scratch);
        } catch (Exception e) {
            throw new IllegalStateException("The pipeline failed on " + which + ": " + e.getMessage(), e);
        } finally {
            delete(scratch);
        }
        if (!Double.isFinite(value)) {
            throw new IllegalStateException("The pipeline returned " + value + " on " + which
                    + "; a bootstrap needs a finite estimate from every resample.");
        }
        return value;
    }

    private static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not delete the bootstrap's scratch directory " + dir, e);
        }
    }
}
