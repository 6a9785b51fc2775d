package io.propensitykit.model;

import io.propensitykit.display.Formats;
import io.propensitykit.internal.Sha256;

import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * A propensity model, loaded and checked on the driver, that Spark tasks can score with.
 *
 * <p>The handle is small and serializable: it carries the location, the weights' sha256 and the
 * metadata. The native model lives in its {@link ModelRuntime}, loaded once per JVM.
 *
 * <pre>{@code
 * PropensityModel model = PropensityModel.load("hdfs:///models/churn.pt");
 * PropensityModel pinned = PropensityModel.builder()
 *     .setLocation("/models/churn.pt")
 *     .optSha256("250fcc64...")
 *     .build();
 * }</pre>
 *
 * <p>Loading fails on the driver, before any task runs, with a message that names the model, what
 * was expected and what was found: a missing or corrupt file, a checksum that differs from its pin,
 * missing metadata, a feature count the model does not accept, or an output of the wrong shape.
 */
public final class PropensityModel implements Serializable, AutoCloseable {

    private static final long serialVersionUID = 1L;
    /** The prefix of a model shipped on the class path, e.g. {@code classpath:models/retail_mlp.pt}. */
    public static final String CLASSPATH = "classpath:";

    private static final int SMOKE_ROWS = 2;

    private final String location;
    private final ModelMetadata metadata;
    private final ModelFormat format;
    private final String sha256;
    private final String paramsPrefix;
    private final String cacheKey;
    private final transient Path localModel;
    private transient ModelRuntime.Shipment shipment;

    private PropensityModel(String location, ModelMetadata metadata, ModelFormat format, String sha256,
            String paramsPrefix, Path localModel) {
        this.location = location;
        this.metadata = metadata;
        this.format = format;
        this.sha256 = sha256;
        this.paramsPrefix = paramsPrefix;
        this.localModel = localModel;
        this.cacheKey = location + '|' + sha256 + '|' + Sha256.of(metadata.toJson());
    }

    /**
     * Loads a model with the metadata next to it and runs the checks.
     *
     * @param location a local path or a Hadoop URI ({@code file:}, {@code hdfs:}, {@code s3a:})
     * @return the checked model
     */
    public static PropensityModel load(String location) {
        return builder().setLocation(location).build();
    }

    /**
     * Starts a builder; {@link Builder#setLocation} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the location as given */
    public String location() {
        return location;
    }

    /** @return the metadata: feature order, preprocessing, output kind */
    public ModelMetadata metadata() {
        return metadata;
    }

    /** @return the feature columns in the order the model expects them */
    public List<String> features() {
        return metadata.features();
    }

    /** @return the storage format */
    public ModelFormat format() {
        return format;
    }

    /** @return the sha256 of the weights file, in hex */
    public String sha256() {
        return sha256;
    }

    String paramsPrefix() {
        return paramsPrefix;
    }

    /** @return the key of this model in the per-JVM cache: location, checksum and metadata */
    String cacheKey() {
        return cacheKey;
    }

    /**
     * Lends a predictor and a batch from the model's runtime in this JVM, loading the model first
     * if this JVM has not yet. For the driver, where the model was loaded; executors use
     * {@link #lease(int, Supplier)}. The kit's front ends reach it through {@link ModelRuntime#lease}.
     *
     * @param batchSize the most rows one {@link ModelLease#predict()} call takes
     * @return a lease for the calling thread; close it when done
     */
    ModelLease lease(int batchSize) {
        return lease(batchSize, () -> {
            throw new PropensityModelException("Model '" + metadata.name() + "' is not on this machine ("
                    + location + ") and its files were not shipped.");
        });
    }

    /**
     * Lends a predictor and a batch, materializing the model from shipped bytes when its files
     * are not on this machine.
     *
     * @param batchSize the most rows one {@link ModelLease#predict()} call takes
     * @param shipped the model's files, asked for only when this JVM loads the model away from the driver
     * @return a lease for the calling thread; close it when done
     */
    ModelLease lease(int batchSize, Supplier<ModelFiles> shipped) {
        while (true) {
            ModelLease lease = runtime(shipped).lease(batchSize);
            if (lease != null) {
                return lease;
            }
            // Unloaded by ModelRuntime.clear() a moment ago: the next runtime() loads it again.
        }
    }

    /**
     * The model's runtime in this JVM, loaded on first use.
     *
     * @param shipped the model's files, asked for only when this JVM loads the model away from the driver
     * @return the runtime
     */
    ModelRuntime runtime(Supplier<ModelFiles> shipped) {
        ModelRuntime.LocalSource source = () -> {
            if (localModel != null && Files.exists(localModel)) {
                return localModel;
            }
            try {
                return shipped.get().materialize(ModelLocation.cacheRoot().resolve("shipped").resolve(sha256));
            } catch (IOException e) {
                throw new UncheckedIOException("Could not write model '" + metadata.name() + "' to local disk", e);
            }
        };
        while (true) {
            ModelRuntime runtime = ModelRuntime.of(this, source);
            if (!runtime.isClosed()) {
                return runtime;
            }
            // Unloaded by ModelRuntime.clear() a moment ago: the next of() loads it again.
        }
    }

    /**
     * The model's files shipped for executors: the first call ships them with {@code ship}, later
     * calls reuse that shipment while it is live.
     *
     * @param ship ships the files, for example as a Spark broadcast
     * @return the handle's shipment
     */
    synchronized ModelRuntime.Shipment shipment(java.util.function.Function<ModelFiles, ModelRuntime.Shipment> ship) {
        if (shipment == null || !shipment.isLive()) {
            shipment = ship.apply(files());
        }
        return shipment;
    }

    /**
     * Releases what the handle shipped to executors (on Spark, destroys the broadcast of the
     * model's bytes) and unloads the model from this JVM's {@link ModelRuntime} once no prediction
     * holds it: a loop that fits and scores many models, such as a bootstrap that refits the
     * propensity, keeps one loaded at a time. DataFrames scored with this handle cannot be computed
     * afterwards; another handle of the same model loads it again when it next scores.
     */
    @Override
    public synchronized void close() {
        if (shipment != null) {
            shipment.close();
            shipment = null;
        }
        ModelRuntime.unload(cacheKey);
    }

    /**
     * Reads the model's files so that they can be broadcast to executors that cannot see them.
     *
     * @return the files' bytes
     */
    ModelFiles files() {
        if (localModel == null) {
            throw new IllegalStateException("files() is for the driver, where the model was loaded");
        }
        try {
            return ModelFiles.read(localModel);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read model files " + localModel, e);
        }
    }

    /**
     * Scores rows given as arrays in metadata feature order; for checks and small data, not for Spark.
     *
     * @param rows the raw feature values, one array per row
     * @return one probability per row
     */
    public float[] predict(double[]... rows) {
        List<Object[]> raw = new java.util.ArrayList<>(rows.length);
        for (double[] row : rows) {
            Object[] values = new Object[row.length];
            for (int j = 0; j < row.length; j++) {
                values[j] = row[j];
            }
            raw.add(values);
        }
        return predict(raw);
    }

    /**
     * Scores raw rows (numbers, strings for categorical columns, nulls) through the model's spec.
     *
     * @param rows one array per row, in {@link #features()} order
     * @return one probability per row
     */
    public float[] predict(List<Object[]> rows) {
        float[] out = new float[rows.size()];
        int batchSize = Math.max(1, Math.min(rows.size(), 4096));
        try (ModelLease lease = lease(batchSize)) {
            FeatureBatch batch = lease.batch();
            RawValues values = new RawValues();
            int start = 0;
            for (int i = 0; i < rows.size(); i++) {
                FeatureProblem problem = batch.add(values.at(rows.get(i)));
                if (problem != null) {
                    String subject = problem.reason() == FeatureProblem.Reason.WRONG_WIDTH ? "it"
                            : "feature '" + metadata.features().get(problem.feature()) + "'";
                    throw new IllegalArgumentException("Row " + i + ": " + problem.describe(subject) + ". Model '"
                            + metadata.name() + "' takes " + metadata.features() + ".");
                }
                if (batch.isFull() || i == rows.size() - 1) {
                    int n = batch.rows();
                    System.arraycopy(lease.predict(), 0, out, start, n);
                    start += n;
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "PropensityModel[" + metadata.name() + " v" + metadata.version() + ", " + format.jsonName() + ", "
                + metadata.featureCount() + " features, " + metadata.output().jsonName() + ", "
                + Formats.oneLine(location)
                + ", sha256 " + sha256.substring(0, 12) + "]";
    }

    /** Builds and checks a {@link PropensityModel}: {@code set*} is required, {@code opt*} optional. */
    public static final class Builder {
        private String location;
        private ModelMetadata metadata;
        private String sha256;
        private Object hadoopConf;

        private Builder() {}

        /**
         * Sets where the model is: a local path, a {@code file:}, {@code hdfs:} or {@code s3a:} URI,
         * or {@code classpath:NAME} for a model shipped in a jar (the kit's demo models:
         * {@code classpath:models/retail_mlp.pt}, {@code classpath:models/tiny_mlp.pt}).
         *
         * @param modelLocation a {@code .pt} file or a DJL model directory
         * @return this builder
         */
        public Builder setLocation(String modelLocation) {
            this.location = modelLocation;
            return this;
        }

        /**
         * Uses this metadata instead of the JSON next to the model.
         *
         * @param modelMetadata the metadata
         * @return this builder
         */
        public Builder optMetadata(ModelMetadata modelMetadata) {
            this.metadata = modelMetadata;
            return this;
        }

        /**
         * Pins the weights' sha256 (as {@code sha256sum} prints it); overrides a pin in the metadata.
         *
         * @param sha256Hex 64 hex digits
         * @return this builder
         */
        public Builder optSha256(String sha256Hex) {
            this.sha256 = sha256Hex == null ? null : sha256Hex.trim().toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * Sets the Hadoop {@code Configuration} used for {@code hdfs:} and {@code s3a:} locations.
         *
         * @param conf an {@code org.apache.hadoop.conf.Configuration}, for example Spark's
         * @return this builder
         */
        public Builder optHadoopConfiguration(Object conf) {
            this.hadoopConf = conf;
            return this;
        }

        /**
         * Fetches the model if it is remote, verifies it, loads it into this JVM's cache and checks it
         * with one smoke prediction.
         *
         * @return the checked model
         * @throws PropensityModelException naming the model, what was expected and what was found
         */
        public PropensityModel build() {
            if (location == null || location.isBlank()) {
                throw new IllegalArgumentException("setLocation is required: a .pt file or a DJL model directory");
            }
            Path local = localize();
            ModelMetadata meta = metadata != null ? metadata : ModelLocation.metadataIn(location, local);
            ModelFormat format = meta.format() != null ? meta.format()
                    : Files.isDirectory(local) ? ModelFormat.DJL : ModelFormat.TORCHSCRIPT;
            if (format == ModelFormat.DJL && meta.architecture() == null) {
                throw new PropensityModelException("Model '" + meta.name() + "' at " + location
                        + " is a DJL model directory, but its metadata has no 'architecture' to rebuild the block.");
            }
            Path weights = format == ModelFormat.DJL ? ModelLocation.paramsFile(location, local, meta) : local;
            if (format == ModelFormat.TORCHSCRIPT && Files.isDirectory(local)) {
                throw new PropensityModelException("Model '" + meta.name() + "' at " + location
                        + " is declared torchscript, but the location is a directory; give the .pt file.");
            }
            String pin = sha256 != null ? sha256 : meta.sha256();
            String actual = ModelLocation.checkedSha256(location, meta.name(), weights, pin,
                    sha256 != null ? "given to optSha256" : "pinned in the metadata");
            ModelLocation.requireBoundedArchive(location, meta.name(), weights);
            String prefix = null;
            if (format == ModelFormat.DJL) {
                String name = weights.getFileName().toString();
                prefix = name.substring(0, name.lastIndexOf('-'));
            }
            PropensityModel model = new PropensityModel(location, meta, format, actual, prefix, local);
            check(model);
            return model;
        }

        private Path localize() {
            return ModelLocation.of(location).localize(hadoopConf, ModelLocation.cacheRoot());
        }

        /** One smoke prediction on the driver: feature count, output shape, output range. */
        private static void check(PropensityModel model) {
            ModelMetadata meta = model.metadata();
            int n = meta.featureCount();
            // The load itself fails with its own message; only the prediction counts as the smoke test.
            ModelLease lease = model.lease(SMOKE_ROWS);
            try (lease) {
                for (int i = 0; i < SMOKE_ROWS; i++) {
                    // The standardized centre of every input: the training means, no category.
                    lease.batch().addConstantRow(0f);
                }
                lease.predict();
            } catch (PropensityModelException e) {
                if (e.getCause() == null) {
                    // The kit's own check of the output (shape, range): its message says what is wrong.
                    throw new PropensityModelException("Smoke prediction of the model at " + model.location() + ": "
                            + e.getMessage(), e);
                }
                throw new PropensityModelException("Model '" + meta.name() + "' at " + model.location()
                        + " failed its smoke prediction with " + n + " features " + meta.features()
                        + (meta.spec() != null ? " (" + meta.inputWidth() + " inputs once encoded)" : "")
                        + " as its metadata declares: " + ModelRuntime.rootMessage(e)
                        + ". Check that the metadata lists the features the model was trained on, in order.", e);
            }
        }
    }
}
