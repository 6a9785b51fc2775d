package io.propensitykit.explain;

import io.propensitykit.display.Formats;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;
import io.propensitykit.metrics.BinaryMetrics;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.Propensity;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;

/**
 * Permutation importance inside Spark: how much the ROC AUC falls and the log loss rises when one
 * feature's values are shuffled across the rows, the others left as they are. The shuffle is a
 * seeded permutation computed in Spark (rows ordered by {@code hash(seed, repeat, row index)}, ties
 * by index), never collected; each repeat draws another permutation, and the repeats give the
 * spread.
 *
 * <pre>{@code
 * Importance.Report why = Importance.of(model, scored, "purchased").optRepeats(5).compute();
 * why.table();                          // features ranked by AUC drop, mean and spread over repeats
 * }</pre>
 *
 * <p>Row indexes follow the DataFrame's order (Spark's {@code zipWithIndex}), so a rerun on the same
 * input with the same seed gives the same numbers. The work is one scoring pass per feature and
 * repeat, plus one sort and two joins per repeat.
 */
public final class Importance {

    private static final String INDEX = "_kit_row";
    private static final String SCORE = "_kit_score";
    private static final String DONOR = "_kit_donor_";

    private final UnaryOperator<Dataset<Row>> scorer;
    private final String scoreCol;
    private final Dataset<?> df;
    private final String labelCol;
    private List<String> features;
    private int repeats = 5;
    private int seed = 42;

    private Importance(UnaryOperator<Dataset<Row>> scorer, String scoreCol, Dataset<?> df, String labelCol,
            List<String> features) {
        this.scorer = scorer;
        this.scoreCol = scoreCol;
        this.df = df;
        this.labelCol = labelCol;
        this.features = List.copyOf(features);
    }

    /**
     * Importance of every raw column a kit model reads, scored through the batched scorer.
     *
     * @param model the model
     * @param df labelled rows holding the model's raw columns
     * @param labelCol 0/1 outcome
     * @return the computation, to configure and {@link #compute()}
     */
    public static Importance of(PropensityModel model, Dataset<?> df, String labelCol) {
        return new Importance(d -> Propensity.scorer(model).optOutputCol(SCORE).build().transform(d), SCORE, df,
                labelCol, model.metadata().features());
    }

    /**
     * Importance for any scoring function that adds a probability column; name the features to
     * permute with {@link #setFeatures}.
     *
     * @param scorer adds {@code scoreCol} to a DataFrame that holds the features
     * @param scoreCol the column the scorer adds
     * @param df labelled rows holding the features
     * @param labelCol 0/1 outcome
     * @return the computation, to configure and {@link #compute()}
     */
    public static Importance of(UnaryOperator<Dataset<Row>> scorer, String scoreCol, Dataset<?> df, String labelCol) {
        return new Importance(scorer, scoreCol, df, labelCol, List.of());
    }

    /**
     * The columns to permute, one at a time (required for a scoring function; a kit model's are
     * the features it reads).
     *
     * @param columns the features
     * @return this
     */
    public Importance setFeatures(String... columns) {
        this.features = List.of(columns);
        return this;
    }

    /**
     * @param repeats permutations per feature (default 5)
     * @return this
     */
    public Importance optRepeats(int repeats) {
        if (repeats < 1) {
            throw new IllegalArgumentException("optRepeats needs at least 1 permutation; got " + repeats);
        }
        this.repeats = repeats;
        return this;
    }

    /**
     * @param seed the permutations' seed (default 42)
     * @return this
     */
    public Importance optSeed(int seed) {
        this.seed = seed;
        return this;
    }

    /**
     * One feature's importance.
     *
     * @param feature the permuted column
     * @param aucDrops ROC AUC without permutation minus with it, per repeat
     * @param logLossRises log loss with permutation minus without it, per repeat
     */
    public record Feature(String feature, double[] aucDrops, double[] logLossRises) {

        /** @return the mean AUC drop over repeats */
        public double aucDrop() {
            return Arrays.stream(aucDrops).average().orElseThrow();
        }

        /** @return the mean log-loss rise over repeats */
        public double logLossRise() {
            return Arrays.stream(logLossRises).average().orElseThrow();
        }

        /** @return the AUC drops' sample standard deviation over repeats (0 for one repeat) */
        public double aucDropSd() {
            return sd(aucDrops);
        }

        /** @return the log-loss rises' sample standard deviation over repeats (0 for one repeat) */
        public double logLossRiseSd() {
            return sd(logLossRises);
        }

        /** @return the feature and its mean AUC drop with the spread, as a notebook shows a value */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Feature[%s, AUC drop %.4f, sd %.4f]", feature, aucDrop(), aucDropSd());
        }

        private static double sd(double[] values) {
            if (values.length < 2) {
                return 0;
            }
            double mean = Arrays.stream(values).average().orElseThrow();
            return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1));
        }
    }

    /**
     * Every feature's importance, ranked by mean AUC drop, largest first.
     *
     * @param auc the ROC AUC without permutation
     * @param logLoss the log loss without permutation
     * @param repeats permutations per feature
     * @param features one entry per feature
     */
    public record Report(double auc, double logLoss, int repeats, List<Feature> features) implements Tabular {

        /** Keeps the features as given. */
        public Report {
            features = List.copyOf(features);
        }

        /**
         * @param name a permuted column
         * @return its importance
         */
        public Feature feature(String name) {
            return features.stream().filter(f -> f.feature().equals(name)).findFirst().orElseThrow(
                    () -> new IllegalArgumentException("No feature '" + name + "'; the report has "
                            + features.stream().map(Feature::feature).toList()));
        }

        /** @return the metrics, the repeats and the most important feature, as a notebook shows a value */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Importance.Report[AUC %.4f, log loss %.4f, %d features, %d repeats,"
                    + " first %s]", auc, logLoss, features.size(), repeats, features.isEmpty() ? "none"
                    : features.get(0).feature());
        }

        /**
         * @param name a permuted column
         * @return its place by mean AUC drop, 1 for the most important
         */
        public int rank(String name) {
            return features.indexOf(feature(name)) + 1;
        }

        /** @return one row per feature: mean and spread of the AUC drop and of the log-loss rise */
        @Override
        public Table table() {
            Table table = Table.create(String.format(Locale.ROOT, "Permutation importance (AUC %.4f, log loss %.4f, %d"
                    + " repeats)", auc, logLoss, repeats),
                    StringColumn.create("feature", features.stream().map(Feature::feature)),
                    DoubleColumn.create("AUC drop", features.stream().mapToDouble(Feature::aucDrop)),
                    DoubleColumn.create("AUC drop sd", features.stream().mapToDouble(Feature::aucDropSd)),
                    DoubleColumn.create("log-loss rise", features.stream().mapToDouble(Feature::logLossRise)),
                    DoubleColumn.create("log-loss rise sd", features.stream().mapToDouble(Feature::logLossRiseSd)));
            table.columnNames().stream().filter(n -> !n.equals("feature")).forEach(n -> table.doubleColumn(n)
                    .setPrintFormatter(Formats.fixed(5)));
            return table;
        }
    }

    /**
     * Scores the rows as they are, then each feature permuted, {@code repeats} times.
     *
     * @return the report
     */
    public Report compute() {
        if (features.isEmpty()) {
            throw new IllegalStateException("Name the features to permute first, for example"
                    + " setFeatures(\"recency_days\", \"channel\").");
        }
        List<String> missing = features.stream().filter(f -> !Arrays.asList(df.columns()).contains(f)).toList();
        if (!missing.isEmpty() || !Arrays.asList(df.columns()).contains(labelCol)) {
            throw new IllegalArgumentException("Permutation importance needs the features " + missing + " and the"
                    + " label '" + labelCol + "'; the DataFrame has " + Arrays.toString(df.columns()) + ".");
        }
        // Every column stays: a scorer may read more than the permuted features.
        Dataset<Row> indexed = withIndex(df.toDF(), INDEX).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            BinaryMetrics base = metrics(indexed.drop(INDEX));
            double[][] aucDrops = new double[features.size()][repeats];
            double[][] lossRises = new double[features.size()][repeats];
            for (int r = 0; r < repeats; r++) {
                Dataset<Row> paired = withDonors(indexed, r).persist(StorageLevel.MEMORY_AND_DISK());
                try {
                    for (int j = 0; j < features.size(); j++) {
                        BinaryMetrics permuted = metrics(permute(paired, j));
                        aucDrops[j][r] = base.rocAuc() - permuted.rocAuc();
                        lossRises[j][r] = permuted.logLoss() - base.logLoss();
                    }
                } finally {
                    paired.unpersist();
                }
            }
            List<Feature> out = new ArrayList<>();
            for (int j = 0; j < features.size(); j++) {
                out.add(new Feature(features.get(j), aucDrops[j], lossRises[j]));
            }
            out.sort(Comparator.comparingDouble(Feature::aucDrop).reversed().thenComparing(Feature::feature));
            return new Report(base.rocAuc(), base.logLoss(), repeats, out);
        } finally {
            indexed.unpersist();
        }
    }

    private BinaryMetrics metrics(Dataset<Row> rows) {
        return BinaryMetrics.of(scorer.apply(rows), scoreCol, labelCol);
    }

    /**
     * Each row with the features of its donor: the rows ordered by {@code hash(seed, repeat, index)}
     * (Spark's Murmur3), ties by index, and the k-th row in that order gives its values to row k.
     */
    private Dataset<Row> withDonors(Dataset<Row> indexed, int repeat) {
        Column key = functions.hash(functions.lit(seed), functions.lit(repeat), functions.col(INDEX));
        Dataset<Row> order = indexed.select(key.as("_kit_key"), functions.col(INDEX).as("_kit_src"))
                .orderBy("_kit_key", "_kit_src").select("_kit_src");
        Dataset<Row> mapping = withIndex(order, "_kit_dst");
        List<Column> donor = new ArrayList<>();
        donor.add(functions.col(INDEX).as("_kit_src"));
        for (int j = 0; j < features.size(); j++) {
            donor.add(Columns.named(features.get(j)).as(DONOR + j));
        }
        Dataset<Row> donors = mapping.join(indexed.select(donor.toArray(new Column[0])), "_kit_src")
                .drop("_kit_src");
        return indexed.join(donors, indexed.col(INDEX).equalTo(donors.col("_kit_dst"))).drop("_kit_dst");
    }

    /** The rows with feature {@code j} taken from the donor, every other column as it was, the index dropped. */
    private Dataset<Row> permute(Dataset<Row> paired, int j) {
        List<Column> cols = new ArrayList<>();
        for (String c : df.columns()) {
            cols.add(c.equals(features.get(j)) ? functions.col(DONOR + j).as(c) : Columns.named(c));
        }
        return paired.select(cols.toArray(new Column[0]));
    }

    /** The rows with their position in the DataFrame's order, 0 to n - 1, as a long column. */
    static Dataset<Row> withIndex(Dataset<Row> rows, String name) {
        StructType schema = rows.schema().add(name, DataTypes.LongType, false);
        JavaRDD<Row> indexed = rows.javaRDD().zipWithIndex().map(t -> {
            Object[] values = new Object[t._1().size() + 1];
            for (int i = 0; i < t._1().size(); i++) {
                values[i] = t._1().get(i);
            }
            values[values.length - 1] = t._2();
            return RowFactory.create(values);
        });
        return rows.sparkSession().createDataFrame(indexed, schema);
    }
}
