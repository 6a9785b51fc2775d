package io.propensitykit.explain;

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
import org.apache.spark.unsafe.hash.Murmur3_x86_32;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Permutation importance inside Spark: how much the ROC AUC falls and the log loss rises when one
 * feature's values are shuffled across the rows, the others left as they are. The shuffle is a
 * seeded permutation computed in Spark (rows ordered by {@code hash(seed, repeat, row index)}, ties
 * by index), never collected; each repeat draws another permutation, and the repeats give the
 * spread.
 *
 * <pre>{@code
 * ImportanceReport why = Importance.of(model, scored, "purchased").optRepeats(5).compute();
 * why.table();                          // features ranked by AUC drop, mean and spread over repeats
 * }</pre>
 *
 * <p>Row indexes follow the DataFrame's order (Spark's {@code zipWithIndex}), so a rerun on the same
 * input with the same seed gives the same numbers. The work is one scoring pass per repeat over a
 * copy of the rows per feature, stacked, plus one sort and two joins per repeat. A kit model's
 * importance over at most {@value #DRIVER_ROWS} rows is computed on the driver instead, from one
 * collect: the same permutations (Spark's Murmur3, computed in Java), the model's own
 * {@link PropensityModel#predict(List)} and the exact metrics on arrays, so a notebook's sample pays
 * for one Spark job rather than dozens.
 */
public final class Importance {

    private static final String INDEX = "_kit_row";
    private static final String SCORE = "_kit_score";
    private static final String DONOR = "_kit_donor_";
    /** Which feature a stacked copy of the rows has permuted. */
    private static final String FEATURE_TAG = "_kit_permuted";

    /** Up to this many rows, a kit model's importance is computed on the driver. */
    static final int DRIVER_ROWS = 100_000;

    /** {@link #DRIVER_ROWS}; tests lower it to take the Spark path on small data. */
    int driverRows = DRIVER_ROWS;

    /** The kit model, when there is one: it can score on the driver. */
    private final PropensityModel model;
    private final UnaryOperator<Dataset<Row>> scorer;
    private final String scoreCol;
    private final Dataset<?> df;
    private final String labelCol;
    private List<String> features;
    private int repeats = 5;
    private int seed = 42;

    private Importance(PropensityModel model, UnaryOperator<Dataset<Row>> scorer, String scoreCol, Dataset<?> df,
            String labelCol, List<String> features) {
        this.model = model;
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
        return new Importance(model, d -> Propensity.scorer(model).optOutputCol(SCORE).build().transform(d), SCORE,
                df, labelCol, model.metadata().features());
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
        return new Importance(null, scorer, scoreCol, df, labelCol, List.of());
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
     * Scores the rows as they are, then each feature permuted, {@code repeats} times.
     *
     * @return the report
     */
    public ImportanceReport compute() {
        if (features.isEmpty()) {
            throw new IllegalStateException("Name the features to permute first, for example"
                    + " setFeatures(\"recency_days\", \"channel\").");
        }
        List<String> missing = features.stream().filter(f -> !Arrays.asList(df.columns()).contains(f)).toList();
        if (!missing.isEmpty() || !Arrays.asList(df.columns()).contains(labelCol)) {
            throw new IllegalArgumentException("Permutation importance needs the features " + missing + " and the"
                    + " label '" + labelCol + "'; the DataFrame has " + Arrays.toString(df.columns()) + ".");
        }
        if (model != null && model.features().containsAll(features)) {
            ImportanceReport small = onDriver();
            if (small != null) {
                return small;
            }
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
                    BinaryMetrics[] permuted = permutedMetrics(paired);
                    for (int j = 0; j < features.size(); j++) {
                        aucDrops[j][r] = base.rocAuc() - permuted[j].rocAuc();
                        lossRises[j][r] = permuted[j].logLoss() - base.logLoss();
                    }
                } finally {
                    paired.unpersist();
                }
            }
            return report(base, aucDrops, lossRises);
        } finally {
            indexed.unpersist();
        }
    }

    private ImportanceReport report(BinaryMetrics base, double[][] aucDrops, double[][] lossRises) {
        List<ImportanceReport.Feature> out = new ArrayList<>();
        for (int j = 0; j < features.size(); j++) {
            out.add(new ImportanceReport.Feature(features.get(j), aucDrops[j], lossRises[j]));
        }
        out.sort(Comparator.comparingDouble(ImportanceReport.Feature::aucDrop).reversed()
                .thenComparing(ImportanceReport.Feature::feature));
        return new ImportanceReport(base.rocAuc(), base.logLoss(), repeats, out);
    }

    /**
     * The importance computed on the driver, or null when the input holds more than
     * {@link #driverRows} rows: the model's features and the label collected in the DataFrame's
     * order, each permuted copy scored by {@link PropensityModel#predict(List)} and measured exactly.
     */
    private ImportanceReport onDriver() {
        List<String> inputs = model.features();
        Columns.requireNumericOrBoolean(df, labelCol, "0/1 or boolean");
        List<Column> cols = new ArrayList<>();
        inputs.forEach(f -> cols.add(Columns.named(f)));
        cols.add(Columns.named(labelCol));
        List<Row> rows = df.select(cols.toArray(new Column[0])).limit(driverRows + 1).collectAsList();
        if (rows.size() > driverRows) {
            return null;
        }
        int n = rows.size();
        int width = inputs.size();
        List<Object[]> raw = new ArrayList<>(n);
        for (Row row : rows) {
            Object[] values = new Object[width];
            for (int f = 0; f < width; f++) {
                values[f] = row.get(f);
            }
            raw.add(values);
        }
        boolean[] labels = Columns.labels(n, i -> rows.get(i).get(width), labelCol);
        BinaryMetrics base = BinaryMetrics.of(widen(model.predict(raw)), labels);
        double[][] aucDrops = new double[features.size()][repeats];
        double[][] lossRises = new double[features.size()][repeats];
        for (int r = 0; r < repeats; r++) {
            int[] donor = donors(n, r);
            for (int j = 0; j < features.size(); j++) {
                int f = inputs.indexOf(features.get(j));
                List<Object[]> permuted = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Object[] values = raw.get(i).clone();
                    values[f] = raw.get(donor[i])[f];
                    permuted.add(values);
                }
                BinaryMetrics m = BinaryMetrics.of(widen(model.predict(permuted)), labels);
                aucDrops[j][r] = base.rocAuc() - m.rocAuc();
                lossRises[j][r] = m.logLoss() - base.logLoss();
            }
        }
        return report(base, aucDrops, lossRises);
    }

    /**
     * The donor of each row in one repeat, as {@link #withDonors} draws it: the rows ordered by
     * Spark's {@code hash(seed, repeat, index)} (Murmur3 with seed 42, each argument hashed with
     * the previous result as its seed), ties by index; the k-th row in that order gives to row k.
     */
    private int[] donors(int n, int repeat) {
        int prefix = Murmur3_x86_32.hashInt(repeat, Murmur3_x86_32.hashInt(seed, 42));
        long[] keyed = new long[n];
        for (int i = 0; i < n; i++) {
            // The key in the high 32 bits, the index in the low: one sort orders by key, then index.
            keyed[i] = ((long) Murmur3_x86_32.hashLong(i, prefix) << 32) | i;
        }
        Arrays.sort(keyed);
        int[] donor = new int[n];
        for (int k = 0; k < n; k++) {
            donor[k] = (int) keyed[k];
        }
        return donor;
    }

    private static double[] widen(float[] scores) {
        double[] out = new double[scores.length];
        for (int i = 0; i < scores.length; i++) {
            out[i] = scores[i];
        }
        return out;
    }

    private BinaryMetrics metrics(Dataset<Row> rows) {
        return BinaryMetrics.of(scorer.apply(rows), scoreCol, labelCol);
    }

    /**
     * The metrics with each feature permuted in turn: every permuted copy stacked, tagged with its
     * feature, scored in one pass and measured per tag in one more, rather than a pass (and its
     * Spark jobs) per feature. A scorer that drops the tag column is run once per feature instead.
     */
    private BinaryMetrics[] permutedMetrics(Dataset<Row> paired) {
        BinaryMetrics[] out = new BinaryMetrics[features.size()];
        Dataset<Row> stacked = null;
        for (int j = 0; j < features.size(); j++) {
            Dataset<Row> copy = permute(paired, j).withColumn(FEATURE_TAG, functions.lit(j));
            stacked = stacked == null ? copy : stacked.unionAll(copy);
        }
        Dataset<Row> scored = scorer.apply(stacked);
        if (!Arrays.asList(scored.columns()).contains(FEATURE_TAG)) {
            for (int j = 0; j < features.size(); j++) {
                out[j] = metrics(permute(paired, j));
            }
            return out;
        }
        Map<String, BinaryMetrics> byTag = BinaryMetrics.bySegment(scored, scoreCol, labelCol, FEATURE_TAG);
        for (int j = 0; j < features.size(); j++) {
            out[j] = byTag.get(Integer.toString(j));
        }
        return out;
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
