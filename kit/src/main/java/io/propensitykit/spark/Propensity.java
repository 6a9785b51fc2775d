package io.propensitykit.spark;

import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * One-line entry points for notebooks and jobs: load a model, score a DataFrame, register the SQL
 * function.
 *
 * <pre>{@code
 * PropensityModel model = Propensity.load(spark, "hdfs:///models/churn.pt");
 * Dataset<Row> scored = Propensity.score(customers, model);          // + column "propensity"
 * Propensity.register(spark, "churn", model);
 * spark.sql("SELECT * FROM propensity_scores('customers', 'churn')");  // batched, in SQL
 * spark.sql("SELECT id, churn(a, b, c) FROM customers");               // row at a time, for a few rows
 * }</pre>
 */
public final class Propensity {

    private Propensity() {}

    /**
     * Loads and checks a model on the driver, reading remote locations with the session's Hadoop
     * configuration (so {@code spark.hadoop.*} settings such as S3 credentials apply).
     *
     * @param spark the session
     * @param location a local path or an {@code hdfs:}, {@code s3a:} or {@code file:} URI
     * @return the checked model
     */
    public static PropensityModel load(SparkSession spark, String location) {
        return PropensityModel.builder()
                .setLocation(location)
                .optHadoopConfiguration(spark.sessionState().newHadoopConf())
                .build();
    }

    /**
     * Loads and checks a model from a local directory or file, such as the one a trainer saved.
     *
     * <pre>{@code val model = Propensity.load(spark, trained.save(dir))}</pre>
     *
     * @param spark the session
     * @param location a local path
     * @return the checked model
     */
    public static PropensityModel load(SparkSession spark, java.nio.file.Path location) {
        return load(spark, location.toString());
    }

    /**
     * Loads a model and verifies the sha256 of its weights before anything runs.
     *
     * @param spark the session
     * @param location a local path or a Hadoop URI
     * @param sha256 the expected hex digest of the weights file
     * @return the checked model
     */
    public static PropensityModel load(SparkSession spark, String location, String sha256) {
        return PropensityModel.builder()
                .setLocation(location)
                .optSha256(sha256)
                .optHadoopConfiguration(spark.sessionState().newHadoopConf())
                .build();
    }

    /**
     * Scores every row in batches with the default settings: features from the columns the model's
     * metadata names, 4096 rows per call, output column {@code propensity}, invalid rows fail.
     *
     * @param df the rows to score
     * @param model the loaded model
     * @return the same rows plus a {@code propensity} column
     */
    public static Dataset<Row> score(Dataset<?> df, PropensityModel model) {
        return scorer(model).build().transform(df);
    }

    /**
     * Starts a batch scorer with settings of its own (output column, batch size, handleInvalid, ...).
     *
     * @param model the loaded model
     * @return a builder
     */
    public static PropensityScorer.Builder scorer(PropensityModel model) {
        return PropensityScorer.builder(model);
    }

    /**
     * Registers the model for SQL under {@code name}: the batched table function
     * {@code propensity_scores('table', 'name')} scores whole tables (use it for volume), and the
     * scalar function {@code name(features...)} scores a row at a time, for a few rows. Rows that
     * cannot be scored fail the query.
     *
     * @param spark the session
     * @param name the function name, for example {@code propensity}
     * @param model the loaded model
     */
    public static void register(SparkSession spark, String name, PropensityModel model) {
        register(spark, name, model, HandleInvalid.ERROR);
    }

    /**
     * Registers the model for SQL, as {@link #register(SparkSession, String, PropensityModel)} does,
     * with a policy for rows that cannot be scored: {@code error}, or {@code keep} for a NULL score
     * (the table function also takes {@code skip} as its fourth argument).
     *
     * @param spark the session
     * @param name the function name
     * @param model the loaded model
     * @param handleInvalid {@link HandleInvalid#ERROR} or {@link HandleInvalid#KEEP}
     */
    public static void register(SparkSession spark, String name, PropensityModel model, HandleInvalid handleInvalid) {
        PropensityUdf.register(spark, name, model, handleInvalid);
        ScoresTableFunction.register(spark, name, model, handleInvalid);
    }
}
