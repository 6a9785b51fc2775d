package io.propensitykit.spark;

import io.propensitykit.model.PropensityModel;
import io.propensitykit.model.PropensityModelException;

import org.apache.spark.sql.DataFrameReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The ad-hoc scoring job: reads Parquet or CSV, scores it in batches, writes Parquet or CSV.
 * The same main class runs from {@code kit/bin/kit score} (local) and under {@code spark-submit}.
 *
 * <pre>
 * kit/bin/kit score --model /models/churn.pt --input customers.parquet --output scored.parquet
 * spark-submit --class io.propensitykit.spark.ScoreJob kit-all.jar --model hdfs:///m/churn.pt \
 *     --input hdfs:///data/customers --output hdfs:///data/scored --id customer_id
 * </pre>
 *
 * <p>On failure it prints one line, {@code kit score: error: ...}, and exits with status 1.
 */
public final class ScoreJob {

    static final String USAGE = String.join("\n",
            "usage: kit score --model M --input IN --output OUT [options]",
            "  --model M            a .pt file or DJL model directory (path or hdfs:/s3a:/file: URI)",
            "  --input IN           Parquet or CSV (with a header) to score",
            "  --output OUT         where to write the scored rows",
            "  --features a,b,c     columns holding the model's features, in the model's order",
            "                       (default: the names in the model's metadata)",
            "  --id col             write only this column and the score; name the row in errors",
            "  --master URL         Spark master (default local[*], or what spark-submit sets)",
            "  --format F           input format, parquet or csv (default: from the file name)",
            "  --output-format F    parquet or csv (default: from the output name)",
            "  --output-col C       score column name (default propensity)",
            "  --handle-invalid H   error (default), skip or keep",
            "  --batch-size N       rows per model call (default 4096)",
            "  --sha256 HEX         expected sha256 of the model's weights",
            "  --overwrite          replace OUT if it exists");

    private ScoreJob() {}

    /**
     * Runs the job.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        int status;
        try {
            status = run(args);
        } catch (UsageException e) {
            System.err.println("kit score: " + e.getMessage());
            System.err.println(USAGE);
            status = 2;
        } catch (Exception e) {
            System.err.println("kit score: error: " + reason(e));
            status = 1;
        }
        System.exit(status);
    }

    /**
     * Runs the job without exiting the JVM.
     *
     * @param args the command line
     * @return 0 on success
     * @throws Exception whatever stopped the job; {@link #reason} turns it into one line
     */
    static int run(String[] args) throws Exception {
        Map<String, String> opts = parse(args);
        if (opts.containsKey("help")) {
            System.out.println(USAGE);
            return 0;
        }
        String model = required(opts, "model");
        String input = required(opts, "input");
        String output = required(opts, "output");

        SparkSession.Builder builder = SparkSession.builder().appName("kit score");
        if (opts.containsKey("master")) {
            builder.master(opts.get("master"));
        } else if (!new org.apache.spark.SparkConf().contains("spark.master")) {
            builder.master("local[*]");
        }
        SparkSession spark = builder.getOrCreate();
        ProgressListener progress = new ProgressListener("kit score", System.err, 2.0);
        spark.sparkContext().addSparkListener(progress);
        try {
            PropensityModel loaded = opts.containsKey("sha256")
                    ? Propensity.load(spark, model, opts.get("sha256")) : Propensity.load(spark, model);
            System.err.println("kit score: " + loaded);

            String format = opts.getOrDefault("format", formatOf(input));
            DataFrameReader reader = spark.read().format(format);
            if ("csv".equals(format)) {
                reader = reader.option("header", "true").option("inferSchema", "true");
            }
            Dataset<Row> df = reader.load(input);

            BatchScorer.Builder scorer = Propensity.scorer(loaded)
                    .optHandleInvalid(opts.getOrDefault("handle-invalid", "error"))
                    .optOutputCol(opts.getOrDefault("output-col", BatchScorer.DEFAULT_OUTPUT_COL))
                    .optBatchSize(Integer.parseInt(opts.getOrDefault("batch-size", "4096")));
            if (opts.containsKey("features")) {
                scorer.optInputCols(Arrays.asList(opts.get("features").split(",")));
            }
            if (opts.containsKey("id")) {
                scorer.optIdCol(opts.get("id"));
            }
            BatchScorer built = scorer.build();
            Dataset<Row> scored = built.transform(df);
            if (opts.containsKey("id")) {
                scored = scored.select(opts.get("id"), built.outputCol());
            }
            String outFormat = opts.getOrDefault("output-format", formatOf(output));
            scored.write()
                    .mode(opts.containsKey("overwrite") ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                    .format(outFormat)
                    .option("header", "true")
                    .save(output);
            long written = progress.rowsWritten();
            double seconds = progress.seconds();
            String skipped = built.handleInvalid() == HandleInvalid.SKIP
                    ? String.format(", %,d invalid rows skipped", built.skippedRows()) : "";
            System.err.printf(Locale.ROOT, "kit score: wrote %,d rows to %s (%s) in %.1f s, %,.0f rows/s,"
                    + " peak RSS %d MB%s%n", written, output, outFormat, seconds, written / Math.max(seconds, 1e-9),
                    ProgressListener.peakRssMb(), skipped);
            return 0;
        } finally {
            spark.sparkContext().removeSparkListener(progress);
            spark.stop();
        }
    }

    private static String formatOf(String path) {
        String p = path.toLowerCase(Locale.ROOT).replaceAll("/+$", "");
        return p.endsWith(".csv") || p.endsWith(".csv.gz") ? "csv" : "parquet";
    }

    private static String required(Map<String, String> opts, String name) throws UsageException {
        String value = opts.get(name);
        if (value == null || value.isEmpty()) {
            throw new UsageException("--" + name + " is required");
        }
        return value;
    }

    static Map<String, String> parse(String[] args) throws UsageException {
        List<String> flags = List.of("overwrite", "help");
        List<String> valued = List.of("model", "input", "output", "features", "id", "master", "format",
                "output-format", "output-col", "handle-invalid", "batch-size", "sha256");
        Map<String, String> opts = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (!arg.startsWith("--")) {
                throw new UsageException("unexpected argument '" + arg + "'");
            }
            String name = arg.substring(2);
            if (flags.contains(name)) {
                opts.put(name, "true");
            } else if (valued.contains(name)) {
                if (i + 1 >= args.length) {
                    throw new UsageException(arg + " needs a value");
                }
                opts.put(name, args[++i]);
            } else {
                throw new UsageException("unknown option '" + arg + "'");
            }
        }
        return opts;
    }

    /** Turns a failure into one line: the kit's own message where there is one, else the root cause. */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof InvalidFeaturesException || t instanceof PropensityModelException
                    || t instanceof IllegalArgumentException) {
                return firstLine(t.getMessage());
            }
        }
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        if (root instanceof org.apache.spark.sql.AnalysisException a) {
            return firstLine(a.getSimpleMessage());
        }
        return firstLine(root.getMessage() == null ? root.toString() : root.getMessage());
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    /** A command-line mistake: the usage is printed with it. */
    static final class UsageException extends Exception {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
