package io.propensitykit.train;

import io.propensitykit.model.FeatureSpec;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Trains a tabular propensity model in Java: the rows come to the driver (a seeded sample above
 * {@code optMaxRows}), a {@link FeatureSpec} is fitted on them, and the algorithm trains on the
 * encoded rows. By default that is a DJL MLP (PyTorch engine; Adam on a weighted logistic loss,
 * early stopping on the validation AUC, the best epoch kept); {@code optLogistic(l2)} fits a
 * logistic regression by Newton's method instead. Both give a model the kit scores the same way.
 *
 * <pre>{@code
 * TrainedModel model = PropensityTrainer.builder()
 *     .setNumeric(List.of("recency_days", "frequency", "monetary"))
 *     .setCategorical(List.of("channel", "device"))
 *     .setLabel("purchased")
 *     .optHidden(List.of(64, 32))
 *     .build()
 *     .fit(customers);                     // a Spark DataFrame (sampled if large) or a Tablesaw table
 * model.save(Path.of("/models/purchase"));  // then PropensityModel.load("/models/purchase")
 * }</pre>
 *
 * <p>Runs are reproducible: the seed fixes the split, the shuffles and the initial weights. For
 * bit-identical reruns also set {@code MKL_CBWR=COMPATIBLE} in the environment: otherwise libtorch's
 * MKL may choose another code path for differently aligned buffers, and the weights drift slightly.
 */
public final class PropensityTrainer {

    /** One epoch of training (for the logistic regression: its Newton steps, in-sample AUC). */
    public record Epoch(int epoch, double trainLoss, double validationAuc, double seconds) {}

    private final List<String> numeric;
    private final List<String> categorical;
    private final java.util.Set<String> logColumns;
    private final String label;
    private final List<FeatureSpec.Term> terms;
    private final TrainingAlgorithm algorithm;
    private final long seed;
    private final int maxRows;
    private final int maxLevels;
    private final String name;
    private final Consumer<String> progress;

    private PropensityTrainer(Builder b, TrainingAlgorithm algorithm) {
        this.numeric = List.copyOf(b.numeric);
        this.categorical = List.copyOf(b.categorical);
        this.logColumns = java.util.Set.copyOf(b.logColumns);
        this.label = b.label;
        this.terms = b.terms;
        this.algorithm = algorithm;
        this.seed = b.seed;
        this.maxRows = b.maxRows;
        this.maxLevels = b.maxLevels;
        this.name = b.name;
        this.progress = b.progress;
    }

    /**
     * Starts a builder; the feature columns and the label are required.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    private List<String> columns() {
        List<String> all = new ArrayList<>(numeric);
        all.addAll(categorical);
        return all;
    }

    /**
     * Trains on a Spark DataFrame. More than {@code maxRows} rows are sampled (seeded) to the driver,
     * and the sample size is reported.
     *
     * @param df rows with the feature columns and a 0/1 (or boolean) label
     * @return the trained model
     */
    public TrainedModel fit(Dataset<Row> df) {
        List<Object[]> raw = new ArrayList<>();
        return algorithm.train(this, raw, collect(df, raw));
    }

    /**
     * Fits the feature spec this trainer would use on these rows, without training: to look at the
     * encoding (levels, means, missing flags) before spending time on a model.
     *
     * @param df rows with the feature columns and the label
     * @return the spec
     */
    public FeatureSpec spec(Dataset<Row> df) {
        List<Object[]> raw = new ArrayList<>();
        collect(df, raw);
        return spec(raw);
    }

    /** The spec both algorithms fit: the trainer's columns, levels, log columns and terms. */
    FeatureSpec spec(List<Object[]> raw) {
        return FeatureSpec.fitting(numeric, categorical).optMaxLevels(maxLevels).optLogColumns(logColumns)
                .optTerms(terms).fit(raw);
    }

    long seed() {
        return seed;
    }

    String name() {
        return name;
    }

    Consumer<String> progress() {
        return progress;
    }

    /** Brings the feature columns (sampled above maxRows) and the labels to the driver. */
    private float[] collect(Dataset<Row> df, List<Object[]> raw) {
        List<String> cols = columns();
        List<org.apache.spark.sql.Column> select = new ArrayList<>();
        for (String c : cols) {
            select.add(functions.col(c));
        }
        select.add(functions.col(label).cast("double"));
        Dataset<Row> picked = df.select(select.toArray(new org.apache.spark.sql.Column[0]));
        long total = picked.count();
        if (total > maxRows) {
            double fraction = Math.min(1.0, 1.1 * maxRows / total);
            picked = picked.sample(false, fraction, seed).limit(maxRows);
        }
        List<Row> rows = picked.collectAsList();
        progress.accept(String.format(Locale.ROOT, "training on %,d of %,d rows%s", rows.size(), total,
                rows.size() < total ? " (a seeded sample on the driver; raise optMaxRows for more)" : ""));
        float[] labels = new float[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            Object[] values = new Object[cols.size()];
            for (int j = 0; j < cols.size(); j++) {
                values[j] = r.isNullAt(j) ? null : j < numeric.size() ? r.get(j) : r.get(j).toString();
            }
            raw.add(values);
            labels[i] = label(r.isNullAt(cols.size()) ? null : r.getDouble(cols.size()), i);
        }
        return labels;
    }

    /**
     * Trains on a Tablesaw table held in memory.
     *
     * @param table rows with the feature columns and a 0/1 (or boolean) label
     * @return the trained model
     */
    public TrainedModel fit(Table table) {
        List<String> cols = columns();
        List<Object[]> raw = new ArrayList<>(table.rowCount());
        float[] labels = new float[table.rowCount()];
        var labelColumn = table.column(label);
        for (int i = 0; i < table.rowCount(); i++) {
            Object[] values = new Object[cols.size()];
            for (int j = 0; j < cols.size(); j++) {
                var column = table.column(cols.get(j));
                Object v = column.isMissing(i) ? null : column.get(i);
                values[j] = v == null ? null : j < numeric.size() ? v : v.toString();
            }
            raw.add(values);
            Object y = labelColumn.isMissing(i) ? null : labelColumn.get(i);
            labels[i] = label(y instanceof Boolean bool ? (bool ? 1.0 : 0.0) : y == null ? null
                    : ((Number) y).doubleValue(), i);
        }
        progress.accept(String.format(Locale.ROOT, "training on %,d rows from a table", raw.size()));
        return algorithm.train(this, raw, labels);
    }

    private float label(Double y, int row) {
        if (y == null || (y != 0.0 && y != 1.0)) {
            throw new IllegalArgumentException("Label '" + label + "' must be 0 or 1 in every row; row " + row
                    + " holds " + y + ". Drop or recode such rows before training.");
        }
        return y.floatValue();
    }

    /** Builds a {@link PropensityTrainer}: {@code set*} is required, {@code opt*} optional. */
    public static final class Builder {
        private List<String> numeric = List.of();
        private List<String> categorical = List.of();
        private List<String> logColumns = List.of();
        private String label;
        private List<Integer> hidden = List.of(64, 32);
        private TrainingAlgorithm algorithm;
        private List<FeatureSpec.Term> terms = List.of();
        private int epochs = 40;
        private int batchSize = 512;
        private float learningRate = 1e-3f;
        private double positiveWeight = 1.0;
        private boolean balanced;
        private double validationFraction = 0.2;
        private int patience = 5;
        private long seed = 42;
        private int maxRows = 1_000_000;
        private int maxLevels = 50;
        private String name = "propensity_mlp";
        private Consumer<String> progress = line -> System.out.println("train: " + line);

        private Builder() {}

        /** @param cols numeric feature columns, standardized @return this builder */
        public Builder setNumeric(List<String> cols) {
            this.numeric = List.copyOf(cols);
            return this;
        }

        /** @param cols numeric feature columns, standardized @return this builder */
        public Builder setNumeric(String... cols) {
            return setNumeric(List.of(cols));
        }

        /** @param cols categorical feature columns, one-hot encoded @return this builder */
        public Builder setCategorical(List<String> cols) {
            this.categorical = List.copyOf(cols);
            return this;
        }

        /** @param cols categorical feature columns, one-hot encoded @return this builder */
        public Builder setCategorical(String... cols) {
            return setCategorical(List.of(cols));
        }

        /**
         * Takes {@code log1p} of these numeric columns before standardizing: skewed, non-negative ones.
         *
         * @param cols a subset of the numeric columns
         * @return this builder
         */
        public Builder optLogTransform(List<String> cols) {
            this.logColumns = List.copyOf(cols);
            return this;
        }

        /** @param cols a subset of the numeric columns, {@code log1p} before standardizing @return this builder */
        public Builder optLogTransform(String... cols) {
            return optLogTransform(List.of(cols));
        }

        /** @param col the 0/1 outcome column @return this builder */
        public Builder setLabel(String col) {
            this.label = col;
            return this;
        }

        /** @param widths hidden layer widths (default 64, 32) @return this builder */
        public Builder optHidden(List<Integer> widths) {
            this.hidden = List.copyOf(widths);
            return this;
        }

        /** @param widths hidden layer widths, as in {@code optHidden(64, 32)} @return this builder */
        public Builder optHidden(int... widths) {
            return optHidden(java.util.Arrays.stream(widths).boxed().toList());
        }

        /**
         * Fits a logistic regression instead of the MLP: no hidden layer, an L2 penalty on the
         * standardized coefficients (0 for none), to convergence by Newton's method. Propensity
         * specifications in the style of Dehejia and Wahba use it.
         *
         * @param l2 the penalty, at least 0
         * @return this builder
         */
        public Builder optLogistic(double l2) {
            if (!(l2 >= 0)) {
                throw new IllegalArgumentException("The L2 penalty must be at least 0, found " + l2);
            }
            this.algorithm = new LogisticFit(l2);
            return this;
        }

        /**
         * Adds specification terms of the numeric columns, encoded and standardized after them:
         * squares and cubes, interactions, zero indicators.
         *
         * @param specification for example {@code List.of(Term.power("age", 2), Term.zero("re74"))}
         * @return this builder
         */
        public Builder optTerms(List<FeatureSpec.Term> specification) {
            this.terms = List.copyOf(specification);
            return this;
        }

        /** @param n the most epochs (default 40) @return this builder */
        public Builder optEpochs(int n) {
            this.epochs = n;
            return this;
        }

        /** @param n rows per step (default 512) @return this builder */
        public Builder optBatchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** @param lr Adam's learning rate (default 1e-3) @return this builder */
        public Builder optLearningRate(float lr) {
            this.learningRate = lr;
            return this;
        }

        /** @param weight the loss weight of positive rows (default 1) @return this builder */
        public Builder optPositiveWeight(double weight) {
            this.positiveWeight = weight;
            this.balanced = false;
            return this;
        }

        /** Weighs positives by negatives/positives, so both classes count alike. @return this builder */
        public Builder optBalancedClasses() {
            this.balanced = true;
            return this;
        }

        /** @param fraction the share held out for early stopping (default 0.2) @return this builder */
        public Builder optValidationFraction(double fraction) {
            this.validationFraction = fraction;
            return this;
        }

        /** @param epochs epochs without a validation AUC gain before stopping (default 5) @return this builder */
        public Builder optPatience(int epochs) {
            this.patience = epochs;
            return this;
        }

        /** @param s fixes the split, the shuffles and the initial weights (default 42) @return this builder */
        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /** @param n the most rows brought to the driver (default 1,000,000) @return this builder */
        public Builder optMaxRows(int n) {
            this.maxRows = n;
            return this;
        }

        /** @param n levels kept per categorical column (default 50) @return this builder */
        public Builder optMaxLevels(int n) {
            this.maxLevels = n;
            return this;
        }

        /** @param modelName the model's name and parameter file prefix @return this builder */
        public Builder optName(String modelName) {
            this.name = modelName;
            return this;
        }

        /** @param sink receives one line per epoch (default: standard output) @return this builder */
        public Builder optProgress(Consumer<String> sink) {
            this.progress = sink;
            return this;
        }

        /**
         * Validates and builds.
         *
         * @return the trainer
         */
        public PropensityTrainer build() {
            if (numeric.isEmpty() && categorical.isEmpty()) {
                throw new IllegalArgumentException("Set at least one feature column with setNumeric or setCategorical");
            }
            if (!numeric.containsAll(logColumns)) {
                throw new IllegalArgumentException("optLogTransform names " + logColumns + ", which must all be"
                        + " numeric columns " + numeric);
            }
            if (label == null) {
                throw new IllegalArgumentException("setLabel is required: the 0/1 outcome column");
            }
            if (epochs < 1 || batchSize < 1 || patience < 1 || maxRows < 2 || maxLevels < 1) {
                throw new IllegalArgumentException("epochs, batchSize, patience, maxRows and maxLevels must be"
                        + " positive");
            }
            if (!(validationFraction > 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("validationFraction must be in (0, 1), found " + validationFraction);
            }
            return new PropensityTrainer(this, algorithm != null ? algorithm : new MlpFit(hidden, epochs, batchSize,
                    learningRate, positiveWeight, balanced, validationFraction, patience));
        }
    }
}
