package io.propensitykit.data;

import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;

import java.util.Locale;

/**
 * {@code kit/bin/kit generate}: writes synthetic retail customers with their ground truth, in
 * parallel, straight from the executors.
 *
 * <pre>
 * kit/bin/kit generate --rows 10000000 --seed 42 --output /data/retail.parquet
 * </pre>
 */
public final class GenerateJob {

    static final String USAGE = String.join("\n",
            "usage: kit generate --output OUT [--rows N] [--seed S] [--format parquet|csv|noop] [--master URL]",
            "                    [--partitions N] [--base-rate R] [--treated-rate R] [--confounding C] [--effect-size E]",
            "  writes N synthetic customers (default 100000) with features, treated, purchased and true_* columns");

    private GenerateJob() {}

    /**
     * Runs the job.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        java.util.Map<String, String> o = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("kit generate: unexpected argument '" + args[i] + "'\n" + USAGE);
                System.exit(2);
            }
            o.put(args[i].substring(2), args[++i]);
        }
        if (!o.containsKey("output")) {
            System.err.println("kit generate: --output is required\n" + USAGE);
            System.exit(2);
        }
        try {
            RetailGenerator gen = RetailGenerator.builder()
                    .optRows(Long.parseLong(o.getOrDefault("rows", "100000")))
                    .optSeed(Long.parseLong(o.getOrDefault("seed", "42")))
                    .optPartitions(Integer.parseInt(o.getOrDefault("partitions", "0")))
                    .optBaseRate(Double.parseDouble(o.getOrDefault("base-rate", "0.10")))
                    .optTreatedRate(Double.parseDouble(o.getOrDefault("treated-rate", "0.4")))
                    .optConfounding(Double.parseDouble(o.getOrDefault("confounding", "1")))
                    .optEffectSize(Double.parseDouble(o.getOrDefault("effect-size", "0.4")))
                    .build();
            SparkSession spark = SparkSession.builder().appName("kit generate")
                    .master(o.getOrDefault("master", "local[*]")).getOrCreate();
            long start = System.nanoTime();
            String format = o.getOrDefault("format", o.get("output").endsWith(".csv") ? "csv" : "parquet");
            gen.generate(spark).write().mode(SaveMode.Overwrite).format(format).option("header", "true")
                    .save(o.get("output"));
            double seconds = (System.nanoTime() - start) / 1e9;
            System.err.printf(Locale.ROOT, "kit generate: %,d rows (seed %d) -> %s (%s) in %.1f s, %,.0f rows/s%n",
                    gen.rows(), gen.seed(), o.get("output"), format, seconds, gen.rows() / seconds);
            spark.stop();
            System.exit(0);
        } catch (RuntimeException e) {
            System.err.println("kit generate: error: " + e.getMessage());
            System.exit(1);
        }
    }
}
