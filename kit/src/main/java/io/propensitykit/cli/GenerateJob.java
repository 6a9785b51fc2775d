package io.propensitykit.cli;

import io.propensitykit.data.RetailGenerator;


import org.apache.spark.sql.DataFrameWriter;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code kit/bin/kit generate}: writes synthetic retail customers with their ground truth, in
 * parallel, straight from the executors. An existing output is replaced only with
 * {@code --overwrite}.
 *
 * <pre>
 * kit/bin/kit generate --rows 10000000 --seed 42 --output /data/retail.parquet
 * </pre>
 */
@Command(name = "kit generate", mixinStandardHelpOptions = true, versionProvider = KitVersion.class, sortOptions = false,
        description = "Writes synthetic customers with features, treated, purchased and true_* columns.")
public final class GenerateJob implements Callable<Integer> {

    /** What the job writes; {@code noop} generates without writing, to time the generator. */
    enum Format { PARQUET, CSV, NOOP }

    @Spec
    private CommandSpec spec;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "where to write the customers")
    private String output;

    private long rows = 100_000;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "42", description = "random seed (default ${DEFAULT-VALUE})")
    private long seed;

    @Option(names = "--format", paramLabel = "F",
            description = "${COMPLETION-CANDIDATES} (default: csv for a .csv name, else parquet)")
    private Format format;

    @Mixin
    private SparkOptions sparkOptions;

    private int partitions;

    @Option(names = "--base-rate", paramLabel = "R", defaultValue = "0.10",
            description = "purchase rate without the campaign (default ${DEFAULT-VALUE})")
    private double baseRate;

    @Option(names = "--treated-rate", paramLabel = "R", defaultValue = "0.4",
            description = "share of customers the campaign targets (default ${DEFAULT-VALUE})")
    private double treatedRate;

    @Option(names = "--confounding", paramLabel = "C", defaultValue = "1",
            description = "how strongly targeting follows the features (default ${DEFAULT-VALUE})")
    private double confounding;

    @Option(names = "--effect-size", paramLabel = "E", defaultValue = "0.4",
            description = "the campaign's effect on the purchase logit (default ${DEFAULT-VALUE})")
    private double effectSize;

    @Option(names = "--overwrite", description = "replace OUT if it exists")
    private boolean overwrite;

    private final PrintStream log;

    /** A job that reports on standard error. */
    public GenerateJob() {
        this(System.err);
    }

    /**
     * A job that reports on {@code log}.
     *
     * @param log where progress and the summary go
     */
    public GenerateJob(PrintStream log) {
        this.log = log;
    }

    @Option(names = "--rows", paramLabel = "N", description = "customers to write (default 100000)")
    void rows(long n) {
        this.rows = Cli.positive(spec, "--rows", n);
    }

    @Option(names = "--partitions", paramLabel = "N", description = "output partitions (default: Spark's parallelism)")
    void partitions(int n) {
        this.partitions = (int) Cli.positive(spec, "--partitions", n);
    }

    /**
     * Runs the job and exits with its status.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        Cli.exit(new GenerateJob(), args);
    }

    @Override
    public Integer call() {
        RetailGenerator gen = RetailGenerator.builder().optRows(rows).optSeed(seed).optPartitions(partitions)
                .optBaseRate(baseRate).optTreatedRate(treatedRate).optConfounding(confounding)
                .optEffectSize(effectSize).build();
        Format f = format != null ? format : output.toLowerCase(Locale.ROOT).endsWith(".csv") ? Format.CSV
                : Format.PARQUET;
        try (SparkApp app = SparkApp.start("kit generate", sparkOptions.master());
                ProgressListener progress = ProgressListener.attach(app.spark().sparkContext(), "kit generate", log,
                        5)) {
            SparkSession spark = app.spark();
            DataFrameWriter<Row> writer = gen.generate(spark).write()
                    .mode(overwrite || f == Format.NOOP ? SaveMode.Overwrite : SaveMode.ErrorIfExists)
                    .format(f.name().toLowerCase(Locale.ROOT)).option("header", "true");
            if (f == Format.NOOP) {
                writer.save(); // generates every row and writes nothing: no output to check
            } else {
                app.save(writer, OutputPaths.check(spark.sparkContext().hadoopConfiguration(), "--output", output,
                        overwrite));
            }
            double seconds = progress.seconds();
            log.printf(Locale.ROOT, "kit generate: %,d rows (seed %d) -> %s (%s) in %.1f s, %,.0f rows/s%n",
                    gen.rows(), gen.seed(), output, f.name().toLowerCase(Locale.ROOT), seconds, gen.rows() / seconds);
            return Cli.OK;
        }
    }
}
