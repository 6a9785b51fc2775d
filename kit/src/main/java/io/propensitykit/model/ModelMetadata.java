package io.propensitykit.model;

import io.propensitykit.display.Formats;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The small JSON that travels next to a model and says how to feed it: the feature columns in
 * order, their standardization, what the output means, and which weights it belongs to.
 *
 * <p>For a TorchScript file {@code churn.pt} it is {@code churn.json} beside it; for a DJL-saved
 * directory it is {@code propensity.json} inside it. Scoring looks features up by these names, so a
 * DataFrame whose columns come in another order is still scored correctly.
 *
 * <pre>{@code
 * ModelMetadata.builder()
 *     .setFeatures(List.of("recency", "frequency", "monetary"))
 *     .optOutput(OutputKind.LOGIT)
 *     .build()
 *     .writeFor(Path.of("/models/churn.pt"));   // writes /models/churn.json
 * }</pre>
 */
public final class ModelMetadata implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The metadata file's name inside a DJL-saved model directory. */
    public static final String DIRECTORY_FILE_NAME = "propensity.json";

    private final String name;
    private final String version;
    private final ModelFormat format;
    private final List<String> features;
    private final double[] mean;
    private final double[] std;
    private final FeatureSpec encoding;
    private final OutputKind output;
    private final String sha256;
    private final MlpArchitecture architecture;
    private final FeatureSpec spec;

    private ModelMetadata(Builder builder) {
        this.name = builder.name;
        this.version = builder.version;
        this.format = builder.format;
        this.features = List.copyOf(builder.features);
        this.mean = builder.mean;
        this.std = builder.std;
        this.encoding = builder.spec != null ? builder.spec : FeatureSpec.standardized(builder.features, mean, std);
        this.output = builder.output;
        this.sha256 = builder.sha256;
        this.architecture = builder.architecture;
        this.spec = builder.spec;
    }

    /**
     * Starts a builder; {@link Builder#setFeatures} is required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns where the metadata of a model lives: {@code X.json} next to a file {@code X.pt}, or
     * {@code propensity.json} inside a model directory.
     *
     * @param model the model file or directory
     * @return the metadata path
     */
    public static Path pathFor(Path model) {
        if (Files.isDirectory(model)) {
            return model.resolve(DIRECTORY_FILE_NAME);
        }
        return model.resolveSibling(ModelLocation.siblingJson(model.getFileName().toString()));
    }

    /**
     * Reads the metadata of a model without loading the model: the JSON next to a model file, or
     * in a model directory, wherever the model is ({@code classpath:}, a local path, {@code hdfs:},
     * {@code s3a:}). Cheap enough for Spark's schema checks.
     *
     * @param location the model's location, as {@link PropensityModel#load} takes it
     * @param hadoopConf an {@code org.apache.hadoop.conf.Configuration} for remote locations, or null
     * @return the metadata
     * @throws PropensityModelException when there is none, or it is invalid
     */
    public static ModelMetadata readFor(String location, Object hadoopConf) {
        return MetadataJson.readFor(location, hadoopConf);
    }

    /**
     * Reads and validates a metadata file.
     *
     * @param json the file
     * @return the metadata
     * @throws IOException if the file cannot be read
     * @throws IllegalArgumentException naming the file and field when the content is invalid
     */
    public static ModelMetadata read(Path json) throws IOException {
        return MetadataJson.read(json);
    }

    /**
     * Parses metadata from its JSON text.
     *
     * @param text the JSON
     * @return the metadata
     */
    public static ModelMetadata fromJson(String text) {
        return MetadataJson.parse(text);
    }

    /** @return this metadata as the JSON the loader reads, pretty-printed */
    public String toJson() {
        return MetadataJson.render(this);
    }

    /**
     * Writes this metadata where the loader looks for it, next to (or inside) the model.
     *
     * @param model the model file or directory
     * @return the path written
     * @throws IOException if the file cannot be written
     */
    public Path writeFor(Path model) throws IOException {
        Path target = pathFor(model);
        Files.writeString(target, toJson(), StandardCharsets.UTF_8);
        return target;
    }

    /** @return the model name, used in messages and as the DJL parameter file prefix */
    public String name() {
        return name;
    }

    /** @return the model version string */
    public String version() {
        return version;
    }

    /** @return the storage format, or null when it is inferred from the model's location */
    public ModelFormat format() {
        return format;
    }

    /** @return the feature column names, in the order the model expects them */
    public List<String> features() {
        return features;
    }

    /** @return the number of raw feature columns */
    public int featureCount() {
        return features.size();
    }

    /** @return the width of the model's input: the encoded width with a spec, else the feature count */
    public int inputWidth() {
        return spec != null ? spec.width() : features.size();
    }

    /** @return the feature spec that encodes raw columns for the model, or null when features go in as numbers */
    public FeatureSpec spec() {
        return spec;
    }

    /**
     * How raw values become the model's input: the feature spec, or for metadata with
     * {@code preprocessing} (or none) an all-numeric spec that standardizes with its means and
     * standard deviations (or takes the numbers as they are). The {@link FeatureEncoder} applies it,
     * so standardization happens in exactly one place.
     *
     * @return the encoding, never null
     */
    public FeatureSpec encoding() {
        return encoding;
    }

    /** @return what the model's output means */
    public OutputKind output() {
        return output;
    }

    /** @return the expected sha256 of the weights file, or null when none is pinned */
    public String sha256() {
        return sha256;
    }

    /** @return the MLP architecture of a DJL-saved model, or null */
    public MlpArchitecture architecture() {
        return architecture;
    }

    /** The standardization's means, or null; not a copy, for {@link MetadataJson} only. */
    double[] standardMeans() {
        return mean;
    }

    /** The standardization's standard deviations, or null; not a copy, for {@link MetadataJson} only. */
    double[] standardStds() {
        return std;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelMetadata m && toJson().equals(m.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }

    @Override
    public String toString() {
        return "ModelMetadata" + toJson();
    }

    /** Builds {@link ModelMetadata}: {@code set*} is required, {@code opt*} optional. */
    public static final class Builder {
        private String name = "model";
        private String version = "1";
        private ModelFormat format;
        private List<String> features;
        private double[] mean;
        private double[] std;
        private OutputKind output = OutputKind.PROBABILITY;
        private String sha256;
        private MlpArchitecture architecture;
        private FeatureSpec spec;

        private Builder() {}

        /**
         * Sets the feature columns in the order the model expects them.
         *
         * @param names the column names, unique and non-empty
         * @return this builder
         */
        public Builder setFeatures(List<String> names) {
            this.features = List.copyOf(names);
            return this;
        }

        /**
         * Sets the model's name (default {@code model}).
         *
         * @param modelName the name
         * @return this builder
         */
        public Builder optName(String modelName) {
            this.name = Objects.requireNonNull(modelName, "name");
            return this;
        }

        /**
         * Sets the model's version (default {@code 1}).
         *
         * @param modelVersion the version
         * @return this builder
         */
        public Builder optVersion(String modelVersion) {
            this.version = Objects.requireNonNull(modelVersion, "version");
            return this;
        }

        /**
         * Sets the storage format; by default it follows the location (file: TorchScript, directory: DJL).
         *
         * @param modelFormat the format
         * @return this builder
         */
        public Builder optFormat(ModelFormat modelFormat) {
            this.format = modelFormat;
            return this;
        }

        /**
         * Sets what the output means (default {@link OutputKind#PROBABILITY}).
         *
         * @param kind the output kind
         * @return this builder
         */
        public Builder optOutput(OutputKind kind) {
            this.output = Objects.requireNonNull(kind, "output");
            return this;
        }

        /**
         * Standardizes each feature as {@code (x - mean) / std} before the model sees it.
         *
         * @param means one mean per feature
         * @param stds one positive standard deviation per feature
         * @return this builder
         */
        public Builder optStandardization(double[] means, double[] stds) {
            this.mean = means.clone();
            this.std = stds.clone();
            return this;
        }

        /**
         * Pins the sha256 of the weights file; loading fails before anything runs when it differs.
         *
         * @param sha256Hex 64 hex digits
         * @return this builder
         */
        public Builder optSha256(String sha256Hex) {
            this.sha256 = sha256Hex == null ? null : sha256Hex.toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * Records the MLP architecture that a DJL-saved model's parameters belong to.
         *
         * @param arch the architecture
         * @return this builder
         */
        public Builder optArchitecture(MlpArchitecture arch) {
            this.architecture = arch;
            return this;
        }

        /**
         * Encodes raw columns (numeric and categorical) with a fitted spec before the model sees them;
         * the features are then the spec's input columns.
         *
         * @param featureSpec the spec fitted at training time
         * @return this builder
         */
        public Builder optSpec(FeatureSpec featureSpec) {
            this.spec = featureSpec;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the metadata
         */
        public ModelMetadata build() {
            if (features == null || features.isEmpty()) {
                throw new IllegalArgumentException("the field 'features' must list at least one column");
            }
            // Names are printed in notes, where a line that starts with %html switches Zeppelin's output type.
            Formats.requireOneLine("name", name);
            Formats.requireOneLine("version", version);
            Set<String> seen = new HashSet<>();
            for (String f : features) {
                if (f == null || f.isBlank()) {
                    throw new IllegalArgumentException("feature names must be non-empty: " + features);
                }
                Formats.requireOneLine("feature", f);
                if (!seen.add(f)) {
                    throw new IllegalArgumentException("feature '" + f + "' is listed twice in " + features);
                }
            }
            if (mean != null) {
                if (mean.length != features.size() || std.length != features.size()) {
                    throw new IllegalArgumentException(
                            "preprocessing has " + mean.length + " means and " + std.length
                                    + " stds for " + features.size() + " features " + features);
                }
                for (int i = 0; i < std.length; i++) {
                    if (!(std[i] > 0) || !Double.isFinite(mean[i])) {
                        throw new IllegalArgumentException(
                                "preprocessing for feature '" + features.get(i) + "' needs a finite mean and"
                                        + " a positive std, found mean=" + mean[i] + " std=" + std[i]);
                    }
                }
            }
            if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("sha256 must be 64 hex digits, found '" + sha256 + "'");
            }
            if (spec != null && !spec.inputColumns().equals(features)) {
                throw new IllegalArgumentException("features " + features + " must equal the spec's input columns "
                        + spec.inputColumns());
            }
            if (spec != null && mean != null) {
                throw new IllegalArgumentException("a model with a feature spec standardizes inside the spec;"
                        + " leave preprocessing as \"none\"");
            }
            if (format == ModelFormat.DJL && architecture == null) {
                throw new IllegalArgumentException("a DJL-saved model needs an 'architecture' to rebuild its block");
            }
            return new ModelMetadata(this);
        }
    }
}
