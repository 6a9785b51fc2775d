package io.propensitykit.spark;

import io.propensitykit.model.ModelMetadata;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.NamedExpression$;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;

import scala.collection.JavaConverters;

import java.util.Arrays;
import java.util.List;

/**
 * The engine behind {@link PropensityScorer}: scores a DataFrame per partition in blocks, one
 * predictor call per block, and returns the same rows plus a score column, as a
 * {@link PropensityScore} plan node. A columnar input (a Parquet or ORC scan, a cached DataFrame)
 * is scored from its column vectors and handed on as column batches ({@link PropensityScoreExec}).
 *
 * <p>Per executor JVM the model is loaded once, in its {@link io.propensitykit.model.ModelRuntime};
 * each task leases a predictor and a batch, given back when the task completes. The schema is
 * checked on the driver: a missing or non-numeric feature column fails before any task runs.
 */
final class BatchScorer {

    private final PropensityModel model;
    private final String outputCol;
    private final int batchSize;
    private final HandleInvalid handleInvalid;
    private final List<String> inputCols;
    private final String featuresCol;
    private final String idCol;
    private LongAccumulator lastSkipped;

    BatchScorer(PropensityModel model, String outputCol, int batchSize, HandleInvalid handleInvalid,
            List<String> inputCols, String featuresCol, String idCol) {
        this.model = model;
        this.outputCol = outputCol;
        this.batchSize = batchSize;
        this.handleInvalid = handleInvalid;
        this.inputCols = inputCols;
        this.featuresCol = featuresCol;
        this.idCol = idCol;
    }

    /**
     * Returns the output schema: the input columns plus the score column, a double that is
     * nullable only under {@code handleInvalid=keep}. Fails on the driver for a bad input schema.
     *
     * @param schema the input schema
     * @return the output schema
     */
    static StructType transformSchema(StructType schema, ModelMetadata metadata, String outputCol,
            HandleInvalid handleInvalid, List<String> inputCols, String featuresCol) {
        if (Arrays.asList(schema.fieldNames()).contains(outputCol)) {
            throw new IllegalArgumentException("Output column '" + outputCol + "' already exists; choose another"
                    + " with outputCol.");
        }
        reader(schema, metadata, inputCols, featuresCol);
        return schema.add(new StructField(outputCol, DataTypes.DoubleType, handleInvalid == HandleInvalid.KEEP,
                org.apache.spark.sql.types.Metadata.empty()));
    }

    /** How the features are read: from one array column when {@code featuresCol} is set, else one column each. */
    static FeatureReader reader(StructType schema, ModelMetadata metadata, List<String> inputCols,
            String featuresCol) {
        return featuresCol != null ? FeatureReader.array(schema, metadata, featuresCol)
                : FeatureReader.columns(schema, metadata, inputCols);
    }

    /**
     * Scores the DataFrame lazily: nothing runs until an action.
     *
     * @param df the rows to score
     * @return the same rows (minus skipped ones under {@code skip}) plus the score column
     */
    Dataset<Row> transform(Dataset<?> df) {
        return Dataset.ofRows(df.sparkSession(), plan(df));
    }

    /**
     * The scoring as a logical plan, for the SQL table function, which hands it to the analyzer of
     * its own query rather than analyzing it twice.
     *
     * @param df the rows to score
     * @return the plan
     */
    LogicalPlan plan(Dataset<?> df) {
        StructType schema = df.schema();
        StructType outSchema = transformSchema(schema, model.metadata(), outputCol, handleInvalid, inputCols,
                featuresCol);
        SparkSession spark = df.sparkSession();
        ModelRuntime.Shipment files = TaskLeases.ship(model, spark.sparkContext());
        LongAccumulator skipped = spark.sparkContext().longAccumulator(
                "propensity rows skipped (" + model.metadata().name() + " -> " + outputCol + ")");
        lastSkipped = skipped;
        int idOrdinal = idCol == null ? -1 : Arrays.asList(schema.fieldNames()).indexOf(idCol);
        if (idCol != null && idOrdinal < 0) {
            throw new IllegalArgumentException("idCol '" + idCol + "' is not a column of the DataFrame: "
                    + List.of(schema.fieldNames()));
        }
        Scoring scoring = new Scoring(model, batchSize, handleInvalid, files, skipped, inputCols, featuresCol, idCol,
                outputCol);
        StructField scoreField = outSchema.fields()[outSchema.length() - 1];
        AttributeReference score = new AttributeReference(outputCol, DataTypes.DoubleType, scoreField.nullable(),
                Metadata.empty(), NamedExpression$.MODULE$.newExprId(), JavaConverters.asScalaBuffer(
                        List.<String>of()).toList());
        ScorePlanning.install(spark);
        return new PropensityScore(df.logicalPlan(), score, scoring);
    }

    /**
     * Rows dropped by {@code handleInvalid=skip} in the last {@link #transform}, counted by the actions
     * run on its result so far (a recomputed partition counts again, as Spark accumulators do).
     *
     * @return the count, 0 before any action
     */
    long skippedRows() {
        return lastSkipped == null ? 0 : lastSkipped.sum();
    }
}
