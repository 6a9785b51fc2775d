package io.propensitykit.spark;

import io.propensitykit.model.ModelLease;
import io.propensitykit.model.ModelMetadata;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * The engine behind {@link PropensityScorer}: scores a DataFrame per partition in blocks, one
 * predictor call per block, and returns the same rows plus a score column. A DataFrame that is a
 * plain columnar scan (Parquet, ORC) is scored straight from the scan's column vectors.
 *
 * <p>Per executor JVM the model is loaded once, in its {@link io.propensitykit.model.ModelRuntime};
 * each task leases a predictor and a batch, given back when the task completes. The schema is
 * checked on the driver: a missing or non-numeric feature column fails before any task runs.
 */
final class BatchScorer {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

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

    private static FeatureReader reader(StructType schema, ModelMetadata metadata, List<String> inputCols,
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
        ScorePartition fn = new ScorePartition(model, reader(schema, model.metadata(), inputCols, featuresCol),
                batchSize, handleInvalid, files, skipped, idCol, idOrdinal,
                idOrdinal < 0 ? null : schema.fields()[idOrdinal].dataType(), outputCol);
        SparkPlan columnar = columnarInput(df);
        JavaRDD<InternalRow> scored = columnar != null
                ? columnar.executeColumnar().toJavaRDD().mapPartitions(fn::scoreColumnar)
                : df.queryExecution().toRdd().toJavaRDD().mapPartitions(fn::scoreRows);
        // The rows stay in Spark's internal format end to end: no Row conversion on the hot path.
        return spark.internalCreateDataFrame(scored.rdd(), outSchema, false);
    }

    /**
     * The columnar plan under the DataFrame's plan when the DataFrame is nothing but a columnar
     * scan (Parquet or ORC read as they are), else null. Scoring then reads the features from the
     * scan's column vectors in place, without Spark first turning each batch into rows.
     */
    static SparkPlan columnarInput(Dataset<?> df) {
        SparkPlan plan = df.queryExecution().executedPlan();
        if (plan instanceof WholeStageCodegenExec stage) {
            plan = stage.child();
        }
        if (!(plan instanceof ColumnarToRowExec toRows)) {
            return null;
        }
        SparkPlan child = toRows.child() instanceof InputAdapter adapter ? adapter.child() : toRows.child();
        return child.supportsColumnar() && child.schema().equals(df.schema()) ? child : null;
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

    /** The per-partition work, shipped to executors. */
    private static final class ScorePartition implements java.io.Serializable, ScoringIterator.InvalidRows {
        private static final long serialVersionUID = 1L;

        private final PropensityModel model;
        private final FeatureReader reader;
        private final int batchSize;
        private final HandleInvalid mode;
        private final ModelRuntime.Shipment files;
        private final LongAccumulator skipped;
        private final String idCol;
        private final int idOrdinal;
        private final DataType idType;
        private final String outputCol;
        private transient long taskSkipped;
        private transient String firstSkipped;

        ScorePartition(PropensityModel model, FeatureReader reader, int batchSize, HandleInvalid mode,
                ModelRuntime.Shipment files, LongAccumulator skipped, String idCol, int idOrdinal, DataType idType,
                String outputCol) {
            this.model = model;
            this.reader = reader;
            this.batchSize = batchSize;
            this.mode = mode;
            this.files = files;
            this.skipped = skipped;
            this.idCol = idCol;
            this.idOrdinal = idOrdinal;
            this.idType = idType;
            this.outputCol = outputCol;
        }

        Iterator<InternalRow> scoreRows(Iterator<InternalRow> rows) {
            return score(RowBlocks.of(rows, reader, batchSize));
        }

        Iterator<InternalRow> scoreColumnar(Iterator<ColumnarBatch> batches) {
            return score(RowBlocks.ofColumnar(batches, reader, batchSize));
        }

        private Iterator<InternalRow> score(RowBlocks blocks) {
            ModelLease lease = TaskLeases.open(model, batchSize, files);
            ScorePartition self = this;
            TaskContext.get().addTaskCompletionListener((TaskCompletionListener) context -> {
                if (self.taskSkipped > 0) {
                    LOG.warn("Partition {}: skipped {} rows with invalid features (handleInvalid=skip); first: {}",
                            context.partitionId(), self.taskSkipped, self.firstSkipped);
                }
            });
            return new ScoringIterator(blocks, lease, mode, this);
        }

        @Override
        public String describe(InternalRow row, String problem) {
            return "Invalid features in a row" + idText(row) + ": " + problem + ". Model '"
                    + model.metadata().name() + "' cannot score that. Set"
                    + " optHandleInvalid(\"skip\") to drop such rows, or optHandleInvalid(\"keep\") to give"
                    + " them a null " + outputCol + ".";
        }

        @Override
        public void skipped(InternalRow row, String problem) {
            skipped.add(1);
            if (taskSkipped++ == 0) {
                firstSkipped = problem + idText(row);
            }
        }

        @Override
        public String identify(InternalRow row) {
            return idText(row);
        }

        private String idText(InternalRow row) {
            if (idOrdinal < 0) {
                return "";
            }
            return " (" + idCol + "=" + (row.isNullAt(idOrdinal) ? "null" : row.get(idOrdinal, idType)) + ")";
        }
    }

}
