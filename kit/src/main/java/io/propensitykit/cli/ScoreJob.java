package io.propensitykit.cli;

import io.propensitykit.internal.Columns;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.HandleInvalid;
import io.propensitykit.spark.InvalidFeaturesException;
import io.propensitykit.spark.Propensity;
import io.propensitykit.spark.PropensityScorer;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The ad-hoc scoring job: reads Parquet or CSV, scores it in batches, writes Parquet or CSV.
 * The same main class runs from {@code kit/bin/kit score} (local) and under {@code spark-submit}.
 *
 * <pre>
 * kit/bin/kit score --model /models/churn.pt --input customers.parquet --output scored.parquet
 * spark-submit --class io.propensitykit.cli.ScoreJob kit-all.jar --model hdfs:///m/churn.pt \
 *     --input hdfs:///data/customers --output hdfs:///data/scored --id customer_id
 * </pre>
 *
 * <p>Paths are checked before anything is written: the output must not overlap the input, and an
 * existing output is replaced only with {@code --overwrite}. A failed job removes the output it
 * created. Errors are one line, {@code kit score: error: ...}, with status 1; usage mistakes
 * status 2.
 */
@Command(name = "kit score", mixinStandardHelpOptions = true, versionProvider = KitVersion.class, sortOptions = false,
        description = "Scores a Parquet or CSV file with a propensity model and writes the rows with their scores.")
public final class ScoreJob implements Callable<Integer>, Cli.SettingFlags {

    /** A file format the job reads or writes. */
    enum Format { PARQUET, CSV }

    /** Relative standard error of the approximate distinct count of {@code --id}. */
    private static final double ID_RSD = 0.01;

    @Spec
    private CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "M",
            description = "a .pt file or DJL model directory (path or hdfs:/s3a:/file: URI)")
    private String model;

    @Option(names = "--input", required = true, paramLabel = "IN", description = "Parquet, or CSV with a header")
    private String input;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "where to write the scored rows")
    private String output;

    @Option(names = "--features", split = ",", paramLabel = "a,b,c",
            description = "columns holding the model's features, in its order (default: the names in its metadata)")
    private List<String> features;

    @Option(names = "--id", paramLabel = "COL", description = "write only this column and the score; names rows in"
            + " errors. A warning says when it is null or clearly not unique")
    private String id;

    @Mixin
    private SparkOptions sparkOptions;

    @Option(names = "--format", paramLabel = "F", description = "input format: ${COMPLETION-CANDIDATES} (default: from"
            + " the name)")
    private Format format;

    @Option(names = "--output-format", paramLabel = "F",
            description = "output format: ${COMPLETION-CANDIDATES} (default: from the name)")
    private Format outputFormat;

    @Option(names = "--output-col", paramLabel = "C", defaultValue = PropensityScorer.DEFAULT_OUTPUT_COL,
            description = "score column (default ${DEFAULT-VALUE})")
    private String outputCol;

    @Option(names = "--handle-invalid", paramLabel = "H", defaultValue = "error",
            description = "rows with invalid features: ${COMPLETION-CANDIDATES} (default ${DEFAULT-VALUE})")
    private HandleInvalid handleInvalid;

    private int batchSize = PropensityScorer.DEFAULT_BATCH_SIZE;

    @Option(names = "--sha256", paramLabel = "HEX", description = "expected sha256 of the model's weights")
    private String sha256;

    @Option(names = "--overwrite", description = "replace OUT if it exists")
    private boolean overwrite;

    private final PrintStream log;

    /** A job that reports on standard error. */
    public ScoreJob() {
        this(System.err);
    }

    /**
     * A job that reports on {@code log}.
     *
     * @param log where progress and the summary go
     */
    public ScoreJob(PrintStream log) {
        this.log = log;
    }

    @Option(names = "--batch-size", paramLabel = "N", description = "rows per model call (default 4096)")
    void batchSize(int rows) {
        this.batchSize = (int) Cli.positive(spec, "--batch-size", rows);
    }

    /**
     * Runs the job and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        Cli.exit(new ScoreJob(), args);
    }

    @Override
    public Map<String, String> settingFlags() {
        return Map.of("optHandleInvalid(\"skip\")", "--handle-invalid skip",
                "optHandleInvalid(\"keep\")", "--handle-invalid keep", "inputCols", "--features");
    }

    @Override
    public Integer call() {
        Format inFormat = format != null ? format : formatOf(input);
        Format outFormat = outputFormat != null ? outputFormat : formatOf(output);
        try (SparkApp app = SparkApp.start("kit score", sparkOptions.master());
                ProgressListener progress = ProgressListener.attach(app.spark().sparkContext(), "kit score", log, 5)) {
            SparkSession spark = app.spark();
            OutputPaths.Target target = OutputPaths.check(spark.sparkContext().hadoopConfiguration(), "--output",
                    output, overwrite, input);
            PropensityModel loaded = sha256 != null ? Propensity.load(spark, model, sha256) : Propensity.load(spark, model);
            log.println("kit score: " + loaded);
            Dataset<Row> df = read(spark, "--input", input, inFormat);

            PropensityScorer.Builder scorer = Propensity.scorer(loaded).optHandleInvalid(handleInvalid)
                    .optOutputCol(outputCol).optBatchSize(batchSize);
            if (features != null) {
                scorer.optInputCols(features);
            }
            if (id != null) {
                scorer.optIdCol(id);
            }
            PropensityScorer built = scorer.build();
            Dataset<Row> scored = built.transform(df);
            Observation ids = null;
            if (id != null) {
                scored = scored.select(Columns.named(id), Columns.named(built.getOutputCol()));
                // Counted as the rows are written, not in a pass of its own.
                ids = new Observation("ids");
                scored = scored.observe(ids, functions.count(functions.lit(1)).as("rows"),
                        functions.approx_count_distinct(Columns.named(id), ID_RSD).as("distinct"),
                        functions.count(functions.when(Columns.named(id).isNull(), 1)).as("nulls"));
            }
            List<String> featureCols = features != null ? features : loaded.metadata().features();
            try {
                app.save(scored.write().mode(overwrite ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                        .format(outFormat.name().toLowerCase(Locale.ROOT)).option("header", "true"), target);
            } catch (Exception e) { // Spark's SparkException is checked, though Scala throws it anywhere
                // A null feature may be a file without the column: say so, naming the file.
                String lacking = inFormat == Format.PARQUET && nullFeature(e) ? lacking(spark, df, featureCols) : null;
                if (lacking != null) {
                    throw new IllegalArgumentException(lacking, e);
                }
                throw e;
            }
            long written = progress.rowsWritten();
            double seconds = progress.seconds();
            String skipped = built.getHandleInvalid() == HandleInvalid.SKIP
                    ? String.format(Locale.ROOT, ", %,d invalid rows skipped", built.skippedRows()) : "";
            log.printf(Locale.ROOT, "kit score: wrote %,d rows to %s (%s) in %.1f s, %,.0f rows/s, peak RSS %d MB%s%n",
                    written, output, outFormat.name().toLowerCase(Locale.ROOT), seconds,
                    written / Math.max(seconds, 1e-9), ProgressListener.peakRssMb(), skipped);
            if (inFormat == Format.PARQUET && built.skippedRows() > 0) {
                String lacking = lacking(spark, df, featureCols);
                if (lacking != null) {
                    log.println("kit score: warning: their rows were skipped as invalid: " + lacking);
                }
            }
            if (ids != null) {
                idWarning(ids).ifPresent(w -> log.println("kit score: warning: " + w));
            }
            return Cli.OK;
        }
    }

    /**
     * Which input files lack feature columns, or null. Only an explanation: a footer that cannot be
     * read leaves the job's own message or outcome as it was, with the reason in the log.
     */
    private String lacking(SparkSession spark, Dataset<Row> df, List<String> featureCols) {
        try {
            return ParquetFooters.lacking(spark.sessionState().newHadoopConf(), df.inputFiles(), featureCols);
        } catch (java.io.UncheckedIOException e) {
            log.println("kit score: note: could not check the input files for missing columns: " + e.getMessage());
            return null;
        }
    }

    /** Whether the job failed on a row with a null feature, under {@code --handle-invalid error}. */
    private static boolean nullFeature(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidFeaturesException && String.valueOf(t.getMessage()).contains("' is null")) {
                return true;
            }
        }
        return false;
    }

    /**
     * What is wrong with the written {@code --id} column, if anything: null ids, or clearly fewer
     * distinct ids than rows. The distinct count is approximate (HyperLogLog, {@link #ID_RSD}), so
     * only a shortfall beyond its error is reported; a few duplicates among millions pass unseen.
     */
    private Optional<String> idWarning(Observation ids) {
        Map<String, Object> counts;
        try {
            counts = ids.getAsJava();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        long rows = ((Number) counts.get("rows")).longValue();
        long distinct = ((Number) counts.get("distinct")).longValue();
        long nulls = ((Number) counts.get("nulls")).longValue();
        List<String> problems = new ArrayList<>();
        if (nulls > 0) {
            problems.add(String.format(Locale.ROOT, "%,d of %,d rows have a null --id %s", nulls, rows, id));
        }
        if (distinct < (rows - nulls) * (1 - 4 * ID_RSD)) {
            problems.add(String.format(Locale.ROOT, "--id %s is not unique: about %,d distinct values in %,d rows",
                    id, distinct, rows - nulls));
        }
        return problems.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", problems)
                + ". The scores cannot be joined back to the customers one to one; choose a unique --id.");
    }

    /**
     * Reads a command's input: Parquet, or CSV with a header (types inferred, spaces around the
     * header's names dropped). A Parquet file given as CSV and a CSV without rows are refused.
     */
    static Dataset<Row> read(SparkSession spark, String flag, String path, Format inFormat) {
        if (inFormat == Format.PARQUET) {
            return spark.read().parquet(path);
        }
        Dataset<Row> df = spark.read().option("header", "true").option("inferSchema", "true")
                .option("ignoreLeadingWhiteSpace", "true").option("ignoreTrailingWhiteSpace", "true").csv(path);
        String[] names = df.columns();
        if (names.length > 0 && names[0].startsWith("PAR1")) {
            throw new IllegalArgumentException(flag + " " + path + " is a Parquet file, not CSV: drop --format csv.");
        }
        // "a, b" in a header is a common slip: the names are taken without the spaces around them.
        for (String name : names) {
            if (!name.strip().equals(name) && !List.of(names).contains(name.strip())) {
                df = df.withColumnRenamed(name, name.strip());
            }
        }
        if (df.isEmpty()) {
            throw new IllegalArgumentException(flag + " " + path + " holds a CSV header and no rows: nothing to read.");
        }
        return df;
    }

    static Format formatOf(String path) {
        String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        return p.endsWith(".csv") || p.endsWith(".csv.gz") ? Format.CSV : Format.PARQUET;
    }
}
