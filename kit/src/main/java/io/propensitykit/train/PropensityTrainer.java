package io.propensitykit.train;

import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.model.EngineDefaults;
import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.MlpArchitecture;
import io.propensitykit.model.ModelFormat;
import io.propensitykit.model.ModelMetadata;
import io.propensitykit.model.OutputKind;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Trains a tabular propensity MLP in Java with DJL (PyTorch engine): fits a {@link FeatureSpec}
 * on the training rows, trains with Adam on a weighted logistic loss, reports each epoch's loss and
 * validation AUC, stops early when the validation AUC stops improving, and keeps the best epoch.
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

    /** One epoch of training. */
    public record Epoch(int epoch, double trainLoss, double validationAuc, double seconds) {}

    private final List<String> numeric;
    private final List<String> categorical;
    private final java.util.Set<String> logColumns;
    private final String label;
    private final List<Integer> hidden;
    private final List<FeatureSpec.Term> terms;
    /** The L2 penalty of the logistic regression, or null to train the MLP. */
    private final Double logisticL2;
    private final int epochs;
    private final int batchSize;
    private final float learningRate;
    private final double positiveWeight;
    private final boolean balanced;
    private final double validationFraction;
    private final int patience;
    private final long seed;
    private final int maxRows;
    private final int maxLevels;
    private final String name;
    private final Consumer<String> progress;

    private PropensityTrainer(Builder b) {
        this.numeric = List.copyOf(b.numeric);
        this.categorical = List.copyOf(b.categorical);
        this.logColumns = java.util.Set.copyOf(b.logColumns);
        this.label = b.label;
        this.hidden = List.copyOf(b.hidden);
        this.epochs = b.epochs;
        this.batchSize = b.batchSize;
        this.learningRate = b.learningRate;
        this.positiveWeight = b.positiveWeight;
        this.balanced = b.balanced;
        this.validationFraction = b.validationFraction;
        this.patience = b.patience;
        this.seed = b.seed;
        this.logisticL2 = b.logisticL2;
        this.terms = b.terms;
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
        float[] labels = collect(df, raw);
        return train(raw, labels);
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
        return FeatureSpec.fitting(numeric, categorical).optMaxLevels(maxLevels).optLogColumns(logColumns)
                .optTerms(terms).fit(raw);
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
        return train(raw, labels);
    }

    private float label(Double y, int row) {
        if (y == null || (y != 0.0 && y != 1.0)) {
            throw new IllegalArgumentException("Label '" + label + "' must be 0 or 1 in every row; row " + row
                    + " holds " + y + ". Drop or recode such rows before training.");
        }
        return y.floatValue();
    }

    private TrainedModel train(List<Object[]> raw, float[] labels) {
        if (logisticL2 != null) {
            return trainLogistic(raw, labels);
        }
        int n = raw.size();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        shuffle(order, new Random(seed));
        int validationRows = (int) Math.round(n * validationFraction);
        if (validationRows < 1 || n - validationRows < 1) {
            throw new IllegalArgumentException("Need rows for both training and validation; got " + n + " rows");
        }
        List<Object[]> trainRaw = new ArrayList<>();
        for (int i = validationRows; i < n; i++) {
            trainRaw.add(raw.get(order[i]));
        }
        FeatureSpec spec = FeatureSpec.fitting(numeric, categorical).optMaxLevels(maxLevels).optLogColumns(logColumns)
                .optTerms(terms).fit(trainRaw);
        int width = spec.width();
        float[] x = new float[n * width];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int base = i * width;
            FeatureProblem problem = spec.encode(raw.get(order[i]), x, base);
            if (problem != null) {
                throw new IllegalArgumentException("Row " + order[i] + ": "
                        + problem.describe("column '" + spec.inputColumns().get(problem.feature()) + "'"));
            }
            y[i] = labels[order[i]];
        }
        double positives = 0;
        for (int i = validationRows; i < n; i++) {
            positives += y[i];
        }
        float wPos = (float) (balanced ? (n - validationRows - positives) / Math.max(positives, 1) : positiveWeight);

        EngineDefaults.apply();
        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed((int) seed);
        MlpArchitecture arch = new MlpArchitecture(hidden, "relu", false);
        List<Epoch> history = new ArrayList<>();
        byte[] best = null;
        double bestAuc = -1;
        int bestEpoch = 0;
        int sinceBest = 0;
        try (Model model = Model.newInstance(name, "PyTorch")) {
            model.setBlock(arch.newBlock());
            DefaultTrainingConfig config = new DefaultTrainingConfig(new WeightedLogitLoss(wPos))
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(learningRate)).build());
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(1, width));
                Random shuffles = new Random(seed + 1);
                int trainRows = n - validationRows;
                int[] rows = new int[trainRows];
                for (int i = 0; i < trainRows; i++) {
                    rows[i] = validationRows + i;
                }
                float[] bx = new float[batchSize * width];
                float[] by = new float[batchSize];
                for (int epoch = 1; epoch <= epochs; epoch++) {
                    long t0 = System.nanoTime();
                    shuffle(rows, shuffles);
                    double lossSum = 0;
                    int batches = 0;
                    for (int start = 0; start < trainRows; start += batchSize) {
                        int b = Math.min(batchSize, trainRows - start);
                        for (int k = 0; k < b; k++) {
                            System.arraycopy(x, rows[start + k] * width, bx, k * width, width);
                            by[k] = y[rows[start + k]];
                        }
                        try (NDManager m = trainer.getManager().newSubManager()) {
                            NDArray input = m.create(FloatBuffer.wrap(bx, 0, b * width), new Shape(b, width));
                            NDArray target = m.create(FloatBuffer.wrap(by, 0, b), new Shape(b));
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDArray logits = trainer.forward(new NDList(input)).singletonOrThrow();
                                NDArray loss = trainer.getLoss().evaluate(new NDList(target), new NDList(logits));
                                gc.backward(loss);
                                lossSum += loss.getFloat();
                            }
                            trainer.step();
                        }
                        batches++;
                    }
                    double auc = validationAuc(trainer, x, y, validationRows, width);
                    Epoch e = new Epoch(epoch, lossSum / batches, auc, (System.nanoTime() - t0) / 1e9);
                    history.add(e);
                    progress.accept(String.format(Locale.ROOT, "epoch %d/%d: loss %.4f, validation AUC %.4f, %.1f s",
                            epoch, epochs, e.trainLoss(), auc, e.seconds()));
                    if (auc > bestAuc + 1e-5) {
                        bestAuc = auc;
                        bestEpoch = epoch;
                        best = parameters(model);
                        sinceBest = 0;
                    } else if (++sinceBest >= patience) {
                        progress.accept("early stop: no validation AUC gain in " + patience + " epochs; keeping epoch "
                                + bestEpoch);
                        break;
                    }
                }
            }
            restore(model, best);
            byte[] file = savedParams(model);
            ModelMetadata metadata = ModelMetadata.builder()
                    .setFeatures(spec.inputColumns())
                    .optName(name)
                    .optFormat(ModelFormat.DJL)
                    .optArchitecture(arch)
                    .optOutput(OutputKind.LOGIT)
                    .optSpec(spec)
                    .build();
            return new TrainedModel(file, best, metadata, history, n);
        }
    }

    /**
     * Logistic regression by iteratively reweighted least squares (Newton's method) on the encoded,
     * standardized features with an intercept, the L2 penalty on every coefficient but the
     * intercept, to convergence: the largest coefficient step under 1e-10. The coefficients become a
     * DJL block of one linear layer, scored by the kit like any MLP.
     */
    private TrainedModel trainLogistic(List<Object[]> raw, float[] labels) {
        long t0 = System.nanoTime();
        int n = raw.size();
        FeatureSpec spec = FeatureSpec.fitting(numeric, categorical).optMaxLevels(maxLevels).optLogColumns(logColumns)
                .optTerms(terms).fit(raw);
        int width = spec.width();
        int k = width + 1;
        double[][] x = new double[n][k];
        float[] row = new float[width];
        for (int i = 0; i < n; i++) {
            FeatureProblem problem = spec.encode(raw.get(i), row, 0);
            if (problem != null) {
                throw new IllegalArgumentException("Row " + i + ": "
                        + problem.describe("column '" + spec.inputColumns().get(problem.feature()) + "'"));
            }
            x[i][0] = 1;
            for (int j = 0; j < width; j++) {
                x[i][j + 1] = row[j];
            }
        }
        boolean[] aliased = logisticL2 > 0 ? new boolean[k] : aliased(x);
        double[] beta = new double[k];
        int iterations = 0;
        double step = Double.POSITIVE_INFINITY;
        while (step > 1e-10) {
            if (++iterations > 100) {
                throw new IllegalStateException("The logistic regression did not converge in 100 iterations (last"
                        + " step " + step + "): a feature may separate the classes perfectly; add an L2 penalty"
                        + " (optLogistic(1.0)) or drop the feature.");
            }
            double[][] hessian = new double[k][k];
            double[] gradient = new double[k];
            for (int i = 0; i < n; i++) {
                double eta = 0;
                for (int j = 0; j < k; j++) {
                    eta += x[i][j] * beta[j];
                }
                double p = 1 / (1 + Math.exp(-eta));
                double w = p * (1 - p);
                for (int a = 0; a < k; a++) {
                    gradient[a] += x[i][a] * (labels[i] - p);
                    double wa = w * x[i][a];
                    for (int b = a; b < k; b++) {
                        hessian[a][b] += wa * x[i][b];
                    }
                }
            }
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < a; b++) {
                    hessian[a][b] = hessian[b][a];
                }
                if (a > 0) {
                    hessian[a][a] += logisticL2;
                    gradient[a] -= logisticL2 * beta[a];
                }
            }
            for (int a = 0; a < k; a++) {
                if (aliased[a]) {
                    // held at 0, as R's glm leaves an aliased coefficient out: the fit is the same
                    for (int b = 0; b < k; b++) {
                        hessian[a][b] = 0;
                        hessian[b][a] = 0;
                    }
                    hessian[a][a] = 1;
                    gradient[a] = 0;
                }
            }
            double[] delta;
            try {
                delta = new org.apache.commons.math3.linear.CholeskyDecomposition(
                        new org.apache.commons.math3.linear.Array2DRowRealMatrix(hessian, false)).getSolver()
                        .solve(new org.apache.commons.math3.linear.ArrayRealVector(gradient, false)).toArray();
            } catch (org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException
                    | org.apache.commons.math3.linear.NonSymmetricMatrixException e) {
                throw new IllegalStateException("The logistic regression's information matrix is singular: two"
                        + " features carry the same information, or one is constant; drop one, or add an L2 penalty.",
                        e);
            }
            step = 0;
            for (int j = 0; j < k; j++) {
                beta[j] += delta[j];
                step = Math.max(step, Math.abs(delta[j]));
            }
        }
        double[] scores = new double[n];
        boolean[] positive = new boolean[n];
        double logLoss = 0;
        for (int i = 0; i < n; i++) {
            double eta = 0;
            for (int j = 0; j < k; j++) {
                eta += x[i][j] * beta[j];
            }
            scores[i] = eta;
            positive[i] = labels[i] == 1f;
            logLoss += Math.log1p(Math.exp(-Math.abs(eta))) + Math.max(eta, 0) - labels[i] * eta;
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        Epoch fit = new Epoch(iterations, logLoss / n, BinaryMetrics.rocAuc(scores, positive), seconds);
        List<String> names = spec.encodedNames();
        List<String> left = new ArrayList<>();
        for (int j = 1; j < k; j++) {
            if (aliased[j]) {
                left.add(names.get(j - 1));
            }
        }
        progress.accept(String.format(Locale.ROOT, "logistic regression (L2 %s): converged in %d iterations, log loss"
                + " %.4f, in-sample AUC %.4f, %.1f s%s", logisticL2, iterations, fit.trainLoss(), fit.validationAuc(),
                seconds, left.isEmpty() ? "" : "; aliased, held at 0: " + String.join(", ", left)));
        MlpArchitecture arch = new MlpArchitecture(List.of(), "relu", false);
        EngineDefaults.apply();
        try (Model model = Model.newInstance(name, "PyTorch")) {
            model.setBlock(arch.newBlock());
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, width));
            for (var parameter : model.getBlock().getParameters()) {
                NDArray array = parameter.getValue().getArray();
                float[] values = new float[parameter.getKey().endsWith("bias") ? 1 : width];
                for (int j = 0; j < values.length; j++) {
                    values[j] = (float) (parameter.getKey().endsWith("bias") ? beta[0] : beta[j + 1]);
                }
                // intern, not set: NDArray.set goes through a libtorch guard that prints a deprecation warning.
                array.intern(model.getNDManager().create(values, array.getShape()));
            }
            ModelMetadata metadata = ModelMetadata.builder().setFeatures(spec.inputColumns()).optName(name)
                    .optFormat(ModelFormat.DJL).optArchitecture(arch).optOutput(OutputKind.LOGIT).optSpec(spec)
                    .build();
            return new TrainedModel(savedParams(model), parameters(model), metadata, List.of(fit), n);
        }
    }

    /**
     * The columns of the design that are linear combinations of earlier ones (a one-hot level
     * beside the intercept, a level never seen): Gram-Schmidt on X'X in column order, a column
     * kept while its residual is above 1e-9 of its norm.
     */
    private static boolean[] aliased(double[][] x) {
        int k = x[0].length;
        double[][] gram = new double[k][k];
        for (double[] row : x) {
            for (int a = 0; a < k; a++) {
                for (int b = a; b < k; b++) {
                    gram[a][b] += row[a] * row[b];
                }
            }
        }
        boolean[] aliased = new boolean[k];
        double[][] l = new double[k][k];
        for (int j = 0; j < k; j++) {
            double residual = gram[j][j];
            double[] z = new double[k];
            for (int i = 0; i < j; i++) {
                if (aliased[i]) {
                    continue;
                }
                double v = gram[i][j];
                for (int m = 0; m < i; m++) {
                    v -= l[i][m] * z[m];
                }
                z[i] = v / l[i][i];
                residual -= z[i] * z[i];
            }
            if (!(residual > 1e-9 * gram[j][j])) {
                aliased[j] = true;
                continue;
            }
            System.arraycopy(z, 0, l[j], 0, j);
            l[j][j] = Math.sqrt(residual);
        }
        return aliased;
    }

    private double validationAuc(Trainer trainer, float[] x, float[] y, int validationRows, int width) {
        double[] scores = new double[validationRows];
        boolean[] positive = new boolean[validationRows];
        int chunk = 8192;
        for (int start = 0; start < validationRows; start += chunk) {
            int b = Math.min(chunk, validationRows - start);
            try (NDManager m = trainer.getManager().newSubManager()) {
                NDArray input = m.create(FloatBuffer.wrap(x, start * width, b * width), new Shape(b, width));
                float[] logits = trainer.evaluate(new NDList(input)).singletonOrThrow().toFloatArray();
                for (int k = 0; k < b; k++) {
                    scores[start + k] = logits[k];
                    positive[start + k] = y[start + k] == 1f;
                }
            }
        }
        return BinaryMetrics.rocAuc(scores, positive);
    }

    private static byte[] parameters(Model model) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            model.getBlock().saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void restore(Model model, byte[] parameters) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(parameters))) {
            model.getBlock().loadParameters(model.getNDManager(), in);
        } catch (IOException | ai.djl.MalformedModelException e) {
            throw new IllegalStateException("Could not restore the best epoch's parameters", e);
        }
    }

    /** The bytes of DJL's own {@code NAME-0000.params}, as {@code Model.save} writes them. */
    private static byte[] savedParams(Model model) {
        try {
            Path dir = Files.createTempDirectory("kit-train-");
            try {
                model.save(dir, model.getName());
                return Files.readAllBytes(dir.resolve(model.getName() + "-0000.params"));
            } finally {
                try (Stream<Path> files = Files.list(dir)) {
                    files.forEach(p -> p.toFile().delete());
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not serialize the trained model", e);
        }
    }

    private static void shuffle(int[] a, Random random) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    /** Builds a {@link PropensityTrainer}: {@code set*} is required, {@code opt*} optional. */
    public static final class Builder {
        private List<String> numeric = List.of();
        private List<String> categorical = List.of();
        private List<String> logColumns = List.of();
        private String label;
        private List<Integer> hidden = List.of(64, 32);
        private Double logisticL2;
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
            this.logisticL2 = l2;
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
                throw new IllegalArgumentException("epochs, batchSize, patience, maxRows and maxLevels must be positive");
            }
            if (!(validationFraction > 0 && validationFraction < 1)) {
                throw new IllegalArgumentException("validationFraction must be in (0, 1), found " + validationFraction);
            }
            return new PropensityTrainer(this);
        }
    }
}
