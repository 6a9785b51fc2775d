package io.propensitykit.spark;

import io.propensitykit.model.ModelLease;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.execution.ColumnarToRowExec;
import org.apache.spark.sql.execution.InputAdapter;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.WholeStageCodegenExec;
import org.apache.spark.sql.vectorized.ColumnarBatch;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.TaskCompletionListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;

/**
 * The fast path: scores a DataFrame per partition in batches, one predictor call per batch, and
 * returns the same rows plus a score column.
 *
 * <pre>{@code
 * Dataset<Row> scored = Propensity.score(customers, model);              // defaults
 * BatchScorer scorer = Propensity.scorer(model)
 *     .optOutputCol("p_buy").optHandleInvalid("skip").optBatchSize(8192).build();
 * Dataset<Row> kept = scorer.transform(customers);
 * }</pre>
 *
 * <p>Per executor JVM the model is loaded once; each task opens one predictor, closed when the task
 * completes, and fills one direct buffer per thread. The schema is checked on the driver: a missing
 * or non-numeric feature column fails before any task runs.
 */
public final class BatchScorer {

    private static final Logger LOG = LoggerFactory.getLogger(BatchScorer.class);

    /** The default output column. */
    public static final String DEFAULT_OUTPUT_COL = "propensity";
    /** The default number of rows per predictor call. */
    public static final int DEFAULT_BATCH_SIZE = 4096;

    private final PropensityModel model;
    private final String outputCol;
    private final int batchSize;
    private final HandleInvalid handleInvalid;
    private final List<String> inputCols;
    private final String featuresCol;
    private final String idCol;
    private LongAccumulator lastSkipped;

    private BatchScorer(Builder b) {
        this.model = b.model;
        this.outputCol = b.outputCol;
        this.batchSize = b.batchSize;
        this.handleInvalid = b.handleInvalid;
        this.inputCols = b.inputCols;
        this.featuresCol = b.featuresCol;
        this.idCol = b.idCol;
    }

    /**
     * Starts a builder for this model.
     *
     * @param model the loaded model
     * @return a new builder
     */
    public static Builder builder(PropensityModel model) {
        return new Builder(model);
    }

    /**
     * Returns the output schema: the input columns plus the score column, a double that is
     * nullable only under {@code handleInvalid=keep}. Fails on the driver for a bad input schema.
     *
     * @param schema the input schema
     * @return the output schema
     */
    public StructType transformSchema(StructType schema) {
        if (Arrays.asList(schema.fieldNames()).contains(outputCol)) {
            throw new IllegalArgumentException("Output column '" + outputCol + "' already exists; choose another"
                    + " with outputCol.");
        }
        reader(schema);
        return schema.add(new StructField(outputCol, DataTypes.DoubleType, handleInvalid == HandleInvalid.KEEP,
                org.apache.spark.sql.types.Metadata.empty()));
    }

    private FeatureReader reader(StructType schema) {
        return featuresCol != null ? FeatureReader.array(schema, model, featuresCol)
                : FeatureReader.columns(schema, model, inputCols);
    }

    /**
     * Scores the DataFrame lazily: nothing runs until an action.
     *
     * @param df the rows to score
     * @return the same rows (minus skipped ones under {@code skip}) plus the score column
     */
    public Dataset<Row> transform(Dataset<?> df) {
        StructType schema = df.schema();
        StructType outSchema = transformSchema(schema);
        SparkSession spark = df.sparkSession();
        PropensityModel.Shipment files = TaskLeases.ship(model, spark.sparkContext());
        LongAccumulator skipped = spark.sparkContext().longAccumulator(
                "propensity rows skipped (" + model.metadata().name() + " -> " + outputCol + ")");
        lastSkipped = skipped;
        int idOrdinal = idCol == null ? -1 : Arrays.asList(schema.fieldNames()).indexOf(idCol);
        if (idCol != null && idOrdinal < 0) {
            throw new IllegalArgumentException("idCol '" + idCol + "' is not a column of the DataFrame: "
                    + List.of(schema.fieldNames()));
        }
        ScorePartition fn = new ScorePartition(model, reader(schema), batchSize, handleInvalid, files, skipped,
                idCol, idOrdinal, idOrdinal < 0 ? null : schema.fields()[idOrdinal].dataType(), outputCol);
        SparkPlan columnar = columnarInput(df);
        int rowsPerCall = batchSize;
        JavaRDD<InternalRow> scored = columnar != null
                ? columnar.executeColumnar().toJavaRDD().mapPartitions(
                        (FlatMapFunction<Iterator<ColumnarBatch>, InternalRow>) batches ->
                                fn.score(RowBlocks.ofColumnar(batches, fn.reader, rowsPerCall)))
                : df.queryExecution().toRdd().toJavaRDD().mapPartitions(
                        (FlatMapFunction<Iterator<InternalRow>, InternalRow>) rows ->
                                fn.score(RowBlocks.of(rows, fn.reader, rowsPerCall)));
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
    public long skippedRows() {
        return lastSkipped == null ? 0 : lastSkipped.sum();
    }

    /** @return the output column */
    public String outputCol() {
        return outputCol;
    }

    /** @return the invalid-row policy */
    public HandleInvalid handleInvalid() {
        return handleInvalid;
    }

    /** The per-partition work, shipped to executors. */
    private static final class ScorePartition implements java.io.Serializable, ScoringIterator.InvalidRows {
        private static final long serialVersionUID = 1L;

        private final PropensityModel model;
        private final FeatureReader reader;
        private final int batchSize;
        private final HandleInvalid mode;
        private final PropensityModel.Shipment files;
        private final LongAccumulator skipped;
        private final String idCol;
        private final int idOrdinal;
        private final DataType idType;
        private final String outputCol;
        private transient long taskSkipped;
        private transient String firstSkipped;

        ScorePartition(PropensityModel model, FeatureReader reader, int batchSize, HandleInvalid mode,
                PropensityModel.Shipment files, LongAccumulator skipped, String idCol, int idOrdinal, DataType idType,
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

        Iterator<InternalRow> score(RowBlocks blocks) {
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
                    + " handleInvalid (--handle-invalid in kit score) to 'skip' to drop such rows, or to 'keep' to give"
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

    /** Builds a {@link BatchScorer}; every setting is optional. */
    public static final class Builder {
        private final PropensityModel model;
        private String outputCol = DEFAULT_OUTPUT_COL;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private HandleInvalid handleInvalid = HandleInvalid.ERROR;
        private List<String> inputCols;
        private String featuresCol;
        private String idCol;

        private Builder(PropensityModel model) {
            this.model = Objects.requireNonNull(model, "model");
        }

        /**
         * Names the score column (default {@code propensity}).
         *
         * @param col the column name
         * @return this builder
         */
        public Builder optOutputCol(String col) {
            this.outputCol = col;
            return this;
        }

        /**
         * Sets the rows per predictor call (default 4096).
         *
         * @param rows a positive batch size
         * @return this builder
         */
        public Builder optBatchSize(int rows) {
            this.batchSize = rows;
            return this;
        }

        /**
         * Sets what happens to rows with null, NaN, infinite or wrong-width features (default error).
         *
         * @param mode the policy
         * @return this builder
         */
        public Builder optHandleInvalid(HandleInvalid mode) {
            this.handleInvalid = Objects.requireNonNull(mode, "handleInvalid");
            return this;
        }

        /**
         * Sets the invalid-row policy by its Spark ML name: {@code error}, {@code skip} or {@code keep}.
         *
         * @param mode the policy's name
         * @return this builder
         */
        public Builder optHandleInvalid(String mode) {
            return optHandleInvalid(HandleInvalid.parse(mode));
        }

        /**
         * Reads the features from these columns, given in the model's feature order, instead of the
         * columns named in the metadata.
         *
         * @param cols one column per feature
         * @return this builder
         */
        public Builder optInputCols(List<String> cols) {
            this.inputCols = List.copyOf(cols);
            return this;
        }

        /**
         * Reads all features from one numeric array column, in the model's feature order.
         *
         * @param col the array column
         * @return this builder
         */
        public Builder optFeaturesCol(String col) {
            this.featuresCol = col;
            return this;
        }

        /**
         * Names a column whose value identifies a row in error messages.
         *
         * @param col an id column
         * @return this builder
         */
        public Builder optIdCol(String col) {
            this.idCol = col;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the scorer
         */
        public BatchScorer build() {
            if (batchSize <= 0) {
                throw new IllegalArgumentException("batchSize must be positive, found " + batchSize);
            }
            if (outputCol == null || outputCol.isBlank()) {
                throw new IllegalArgumentException("outputCol must be a non-empty column name");
            }
            if (inputCols != null && featuresCol != null) {
                throw new IllegalArgumentException("Set either inputCols or featuresCol, not both");
            }
            return new BatchScorer(this);
        }
    }
}
