package io.propensitykit.spark;

import io.propensitykit.model.ModelMetadata;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.param.StringArrayParam;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.util.List;
import java.util.Objects;

/**
 * How a DataFrame is scored: the one configuration of the kit's batched scorer, as a Spark ML
 * {@link Transformer} with Params, so that it can sit in a {@code Pipeline} and be saved with it
 * (the model is referenced by location and checksum, not copied). The builder of a loaded model
 * sets the same Params through the same setters, so both ways are checked by the same code.
 *
 * <pre>{@code
 * PropensityScorer scorer = Propensity.scorer(model)            // a loaded model
 *     .optOutputCol("p_buy").optHandleInvalid("keep").build();
 * Dataset<Row> scored = scorer.transform(customers);
 *
 * PropensityScorer inPipeline = new PropensityScorer()           // or by location, loaded at transform
 *     .setModelPath("hdfs:///models/churn.pt").setOutputCol("p_buy");
 * }</pre>
 *
 * <p>{@link #transformSchema} reads only the model's metadata JSON: no native load, no prediction.
 */
public final class PropensityScorer extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    /** The default output column. */
    public static final String DEFAULT_OUTPUT_COL = "propensity";
    /** The default number of rows per predictor call. */
    public static final int DEFAULT_BATCH_SIZE = 4096;

    private final String uid;

    private final Param<String> modelPath;
    private final Param<String> modelSha256;
    private final StringArrayParam inputCols;
    private final Param<String> featuresCol;
    private final Param<String> outputCol;
    private final Param<String> handleInvalid;
    private final IntParam batchSize;
    private final Param<String> idCol;

    private transient PropensityModel loaded;
    private transient BatchScorer last;

    /** Creates a scorer with a random uid. */
    public PropensityScorer() {
        this(Identifiable.randomUID("propensityScorer"));
    }

    /**
     * Creates a scorer with the given uid, as MLlib's readers do.
     *
     * @param uid the uid
     */
    public PropensityScorer(String uid) {
        this.uid = uid;
        modelPath = new Param<>(this, "modelPath", "model location: a .pt file or a DJL model directory");
        modelSha256 = new Param<>(this, "modelSha256", "expected sha256 of the weights file, empty for none");
        inputCols = new StringArrayParam(this, "inputCols", "feature columns in the model's order, empty for the"
                + " metadata's names");
        featuresCol = new Param<>(this, "featuresCol", "array column holding all features, empty for none");
        outputCol = new Param<>(this, "outputCol", "score column name");
        handleInvalid = new Param<>(this, "handleInvalid", "what to do with a row that cannot be scored: "
                + String.join(", ", HandleInvalid.sparkNames()),
                ParamValidators.inArray(HandleInvalid.sparkNames().toArray(new String[0])));
        batchSize = new IntParam(this, "batchSize", "rows per predictor call", ParamValidators.gt(0));
        idCol = new Param<>(this, "idCol", "column naming a row in error messages, empty for none");
        setDefault(modelSha256, "");
        setDefault(inputCols, new String[0]);
        setDefault(featuresCol, "");
        setDefault(outputCol, DEFAULT_OUTPUT_COL);
        setDefault(handleInvalid, HandleInvalid.ERROR.sparkName());
        setDefault(batchSize, DEFAULT_BATCH_SIZE);
        setDefault(idCol, "");
    }

    /**
     * Starts a scorer of a loaded model; every setting is optional.
     *
     * @param model the loaded model
     * @return a builder
     */
    public static Builder builder(PropensityModel model) {
        return new Builder(model);
    }

    /** @return Param: the model location, a local path, a Hadoop URI or {@code classpath:} */
    public Param<String> modelPath() {
        return modelPath;
    }

    /** @return Param: the expected sha256 of the weights; empty for none */
    public Param<String> modelSha256() {
        return modelSha256;
    }

    /** @return Param: one column per feature, in the model's order; empty for the metadata's names */
    public StringArrayParam inputCols() {
        return inputCols;
    }

    /** @return Param: one numeric array column holding all features; empty when features are columns */
    public Param<String> featuresCol() {
        return featuresCol;
    }

    /** @return Param: the score column */
    public Param<String> outputCol() {
        return outputCol;
    }

    /** @return Param: what happens to a row that cannot be scored: error, skip or keep */
    public Param<String> handleInvalid() {
        return handleInvalid;
    }

    /** @return Param: rows per predictor call */
    public IntParam batchSize() {
        return batchSize;
    }

    /** @return Param: a column whose value names a row in error messages; empty for none */
    public Param<String> idCol() {
        return idCol;
    }

    @Override
    public String uid() {
        return uid;
    }

    /** @param value the model location @return this */
    public PropensityScorer setModelPath(String value) {
        loaded = null;
        return (PropensityScorer) set(modelPath, value);
    }

    /** @param value the expected sha256 @return this */
    public PropensityScorer setModelSha256(String value) {
        loaded = null;
        return (PropensityScorer) set(modelSha256, value);
    }

    /** @param value the feature columns in model order @return this */
    public PropensityScorer setInputCols(String[] value) {
        return (PropensityScorer) set(inputCols, value);
    }

    /** @param value the array column of features @return this */
    public PropensityScorer setFeaturesCol(String value) {
        return (PropensityScorer) set(featuresCol, value);
    }

    /** @param value the score column, not blank @return this */
    public PropensityScorer setOutputCol(String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("outputCol must be a non-empty column name");
        }
        return (PropensityScorer) set(outputCol, value);
    }

    /** @param value error, skip or keep @return this */
    public PropensityScorer setHandleInvalid(String value) {
        return (PropensityScorer) set(handleInvalid, HandleInvalid.parse(value).sparkName());
    }

    /** @param value rows per predictor call, positive @return this */
    public PropensityScorer setBatchSize(int value) {
        if (value <= 0) {
            throw new IllegalArgumentException("batchSize must be positive, found " + value);
        }
        return (PropensityScorer) set(batchSize, value);
    }

    /** @param value the id column @return this */
    public PropensityScorer setIdCol(String value) {
        return (PropensityScorer) set(idCol, value);
    }

    /** @return the score column's name */
    public String getOutputCol() {
        return $(outputCol);
    }

    /** @return the invalid-row policy */
    public HandleInvalid getHandleInvalid() {
        return HandleInvalid.parse($(handleInvalid));
    }

    private void requireModelPath() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("PropensityScorer needs modelPath: setModelPath(\"/models/churn.pt\")");
        }
    }

    private List<String> inputColList() {
        String[] cols = $(inputCols);
        return cols.length == 0 ? null : List.of(cols);
    }

    private String orNull(Param<String> p) {
        String v = $(p);
        return v.isEmpty() ? null : v;
    }

    private PropensityModel model(SparkSession spark) {
        requireModelPath();
        if (loaded == null) {
            String sha = $(modelSha256);
            loaded = sha.isEmpty() ? Propensity.load(spark, $(modelPath)) : Propensity.load(spark, $(modelPath), sha);
        }
        return loaded;
    }

    /** The one check across settings: the features come from columns or from one array column. */
    private PropensityScorer checked() {
        if (inputColList() != null && orNull(featuresCol) != null) {
            throw new IllegalArgumentException("Set either inputCols or featuresCol, not both");
        }
        return this;
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return Dataset.ofRows(dataset.sparkSession(), plan(dataset));
    }

    /** {@link #transform}'s plan, not yet analyzed: for the SQL table function, whose query analyzes it. */
    LogicalPlan plan(Dataset<?> dataset) {
        checked();
        last = new BatchScorer(model(dataset.sparkSession()), $(outputCol), (Integer) $(batchSize),
                getHandleInvalid(), inputColList(), orNull(featuresCol), orNull(idCol));
        return last.plan(dataset);
    }

    /**
     * Checks the input schema against the model's metadata, read from its JSON without loading
     * the model, and returns the output schema: the input plus the score column, a double that is
     * nullable only under {@code handleInvalid=keep}.
     */
    @Override
    public StructType transformSchema(StructType schema) {
        ModelMetadata metadata;
        if (loaded != null) {
            metadata = loaded.metadata();
        } else {
            requireModelPath();
            SparkSession spark = SparkSession.getActiveSession().getOrElse(() -> null);
            metadata = ModelMetadata.readFor($(modelPath), spark == null ? null : spark.sessionState().newHadoopConf());
        }
        return BatchScorer.transformSchema(schema, metadata, $(outputCol), getHandleInvalid(), inputColList(),
                orNull(featuresCol));
    }

    /**
     * Rows dropped by {@code handleInvalid=skip} in the last {@link #transform}, counted by the
     * actions run on its result so far (a recomputed partition counts again, as Spark accumulators do).
     *
     * @return the count, 0 before any action
     */
    public long skippedRows() {
        return last == null ? 0 : last.skippedRows();
    }

    @Override
    public PropensityScorer copy(ParamMap extra) {
        PropensityScorer copy = (PropensityScorer) defaultCopy(extra);
        copy.loaded = loaded;
        return copy;
    }

    /**
     * The reader MLlib's {@code Pipeline.load} finds by reflection.
     *
     * @return a reader of saved scorers
     */
    public static MLReader<PropensityScorer> read() {
        return new DefaultParamsReader<>();
    }

    /**
     * Loads a scorer saved with {@code write().save(path)}.
     *
     * @param path the saved scorer's directory
     * @return the scorer
     */
    public static PropensityScorer load(String path) {
        return read().load(path);
    }

    /** Configures a {@link PropensityScorer} of a loaded model; {@code opt*} settings are optional. */
    public static final class Builder {
        private final PropensityScorer scorer = new PropensityScorer();

        private Builder(PropensityModel model) {
            Objects.requireNonNull(model, "model");
            scorer.setModelPath(model.location()).setModelSha256(model.sha256());
            scorer.loaded = model;
        }

        /** @param col the score column (default {@code propensity}) @return this builder */
        public Builder optOutputCol(String col) {
            scorer.setOutputCol(col);
            return this;
        }

        /** @param rows rows per predictor call (default 4096) @return this builder */
        public Builder optBatchSize(int rows) {
            scorer.setBatchSize(rows);
            return this;
        }

        /** @param mode what happens to a row that cannot be scored (default error) @return this builder */
        public Builder optHandleInvalid(HandleInvalid mode) {
            scorer.setHandleInvalid(Objects.requireNonNull(mode, "handleInvalid").sparkName());
            return this;
        }

        /** @param mode error, skip or keep @return this builder */
        public Builder optHandleInvalid(String mode) {
            return optHandleInvalid(HandleInvalid.parse(mode));
        }

        /** @param cols one column per feature, in the model's order @return this builder */
        public Builder optInputCols(List<String> cols) {
            scorer.setInputCols(cols.toArray(new String[0]));
            return this;
        }

        /** @param col one numeric array column holding all features, in the model's order @return this builder */
        public Builder optFeaturesCol(String col) {
            scorer.setFeaturesCol(col);
            return this;
        }

        /** @param col a column whose value names a row in error messages @return this builder */
        public Builder optIdCol(String col) {
            scorer.setIdCol(col);
            return this;
        }

        /**
         * Validates and returns the scorer.
         *
         * @return the configured scorer
         */
        public PropensityScorer build() {
            return scorer.checked();
        }
    }
}
