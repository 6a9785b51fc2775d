package io.propensitykit.spark;

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
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.util.List;

/**
 * A thin Spark ML {@link Transformer} over {@link BatchScorer}, so that scoring can sit in a
 * {@code Pipeline} and be saved with it. The model is referenced by location, not copied.
 *
 * <pre>{@code
 * PropensityScorer scorer = new PropensityScorer()
 *     .setModelPath("hdfs:///models/churn.pt")
 *     .setOutputCol("p_buy")
 *     .setHandleInvalid("keep");
 * Dataset<Row> scored = scorer.transform(customers);
 * }</pre>
 */
public final class PropensityScorer extends Transformer implements DefaultParamsWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;

    private final Param<String> modelPath;
    private final Param<String> modelSha256;
    private final StringArrayParam inputCols;
    private final Param<String> featuresCol;
    private final Param<String> outputCol;
    private final Param<String> handleInvalid;
    private final IntParam batchSize;

    private transient PropensityModel loaded;

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
        inputCols = new StringArrayParam(this, "inputCols", "feature columns in the model's order");
        featuresCol = new Param<>(this, "featuresCol", "array column holding all features, empty for none");
        outputCol = new Param<>(this, "outputCol", "score column name");
        handleInvalid = new Param<>(this, "handleInvalid", "what to do with invalid features: error, skip or keep",
                ParamValidators.inArray(new String[] {"error", "skip", "keep"}));
        batchSize = new IntParam(this, "batchSize", "rows per predictor call", ParamValidators.gt(0));
        setDefault(modelSha256, "");
        setDefault(inputCols, new String[0]);
        setDefault(featuresCol, "");
        setDefault(outputCol, BatchScorer.DEFAULT_OUTPUT_COL);
        setDefault(handleInvalid, HandleInvalid.ERROR.sparkName());
        setDefault(batchSize, BatchScorer.DEFAULT_BATCH_SIZE);
    }

    /**
     * Param: the model location, a local path or a Hadoop URI.
     *
     * @return the param
     */
    public Param<String> modelPath() {
        return modelPath;
    }

    /**
     * Param: the expected sha256 of the weights; empty for none.
     *
     * @return the param
     */
    public Param<String> modelSha256() {
        return modelSha256;
    }

    /**
     * Param: one column per feature, in the model's order; empty for the metadata's names.
     *
     * @return the param
     */
    public StringArrayParam inputCols() {
        return inputCols;
    }

    /**
     * Param: one numeric array column holding all features; empty when features are columns.
     *
     * @return the param
     */
    public Param<String> featuresCol() {
        return featuresCol;
    }

    /**
     * Param: the score column.
     *
     * @return the param
     */
    public Param<String> outputCol() {
        return outputCol;
    }

    /**
     * Param: how to handle null, NaN, infinite or wrong-width features: error, skip or keep.
     *
     * @return the param
     */
    public Param<String> handleInvalid() {
        return handleInvalid;
    }

    /**
     * Param: rows per predictor call.
     *
     * @return the param
     */
    public IntParam batchSize() {
        return batchSize;
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

    /** @param value the score column @return this */
    public PropensityScorer setOutputCol(String value) {
        return (PropensityScorer) set(outputCol, value);
    }

    /** @param value error, skip or keep @return this */
    public PropensityScorer setHandleInvalid(String value) {
        return (PropensityScorer) set(handleInvalid, value);
    }

    /** @param value rows per predictor call @return this */
    public PropensityScorer setBatchSize(int value) {
        return (PropensityScorer) set(batchSize, value);
    }

    private BatchScorer scorer() {
        if (!isDefined(modelPath)) {
            throw new IllegalArgumentException("PropensityScorer needs modelPath: setModelPath(\"/models/churn.pt\")");
        }
        if (loaded == null) {
            SparkSession spark = SparkSession.active();
            String sha = $(modelSha256);
            loaded = sha.isEmpty() ? Propensity.load(spark, $(modelPath)) : Propensity.load(spark, $(modelPath), sha);
        }
        BatchScorer.Builder b = BatchScorer.builder(loaded)
                .optOutputCol($(outputCol))
                .optHandleInvalid($(handleInvalid))
                .optBatchSize((Integer) $(batchSize));
        String[] cols = $(inputCols);
        if (cols.length > 0) {
            b.optInputCols(List.of(cols));
        }
        if (!$(featuresCol).isEmpty()) {
            b.optFeaturesCol($(featuresCol));
        }
        return b.build();
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        return scorer().transform(dataset);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        return scorer().transformSchema(schema);
    }

    @Override
    public PropensityScorer copy(ParamMap extra) {
        return (PropensityScorer) defaultCopy(extra);
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
}
