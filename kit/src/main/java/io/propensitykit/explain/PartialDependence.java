package io.propensitykit.explain;

import io.propensitykit.internal.Columns;
import io.propensitykit.internal.QuantileEdges;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.spark.Propensity;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Computes partial dependence and ICE curves of one feature: a seeded sample of customers, each
 * scored once at every grid value of the feature with everything else as it is, through the batched
 * scorer in one Spark job (sample rows times grid points).
 *
 * <pre>{@code
 * Dependence recency = PartialDependence.of(model, customers, "recency_days");      // the defaults
 * Dependence fine = PartialDependence.on(model, customers).setFeature("recency_days").optPoints(40)
 *     .optSample(20_000).optCurves(50).optSeed(7).compute();
 * }</pre>
 *
 * <p>A numeric feature's grid is its quantiles at {@code k/(points + 1)} (so the curve covers where
 * the data is); a categorical feature's grid is its most frequent levels.
 */
public final class PartialDependence {

    private static final String ROW = "_kit_row";
    private static final String POINT = "_kit_point";
    private static final String SCORE = "_kit_score";

    private final PropensityModel model;
    private final Dataset<?> df;
    private String feature;
    private int points = 20;
    private int sample = 5_000;
    private int curves = 30;
    private long seed = 42;

    private PartialDependence(PropensityModel model, Dataset<?> df) {
        this.model = Objects.requireNonNull(model, "model");
        this.df = Objects.requireNonNull(df, "df");
    }

    /**
     * The curves with the defaults: 20 grid points, 5,000 sampled customers, 30 ICE curves, seed 42.
     *
     * @param model the model
     * @param df rows holding the model's raw columns
     * @param feature one of the model's raw columns
     * @return the curves
     */
    public static Dependence of(PropensityModel model, Dataset<?> df, String feature) {
        return on(model, df).setFeature(feature).compute();
    }

    /**
     * Starts the curves of a model over these rows: name the feature, then {@link #compute()}.
     *
     * @param model the model
     * @param df rows holding the model's raw columns
     * @return the computation to configure
     */
    public static PartialDependence on(PropensityModel model, Dataset<?> df) {
        return new PartialDependence(model, df);
    }

    /**
     * The feature varied over its grid (required).
     *
     * @param column one of the model's raw columns
     * @return this computation
     */
    public PartialDependence setFeature(String column) {
        this.feature = column;
        return this;
    }

    /**
     * Grid points (20 by default): quantiles of a number, the most frequent levels of a category.
     *
     * @param n at least 2
     * @return this computation
     */
    public PartialDependence optPoints(int n) {
        this.points = n;
        return this;
    }

    /**
     * Customers sampled for the average (5,000 by default).
     *
     * @param rows at least 1
     * @return this computation
     */
    public PartialDependence optSample(int rows) {
        this.sample = rows;
        return this;
    }

    /**
     * ICE curves kept, the first sampled customers' (30 by default).
     *
     * @param n 0 or more
     * @return this computation
     */
    public PartialDependence optCurves(int n) {
        this.curves = n;
        return this;
    }

    /**
     * The sample's seed (42 by default).
     *
     * @param s the seed
     * @return this computation
     */
    public PartialDependence optSeed(long s) {
        this.seed = s;
        return this;
    }

    /**
     * Samples, scores the sample at every grid value in one Spark job, and averages.
     *
     * @return the curves
     */
    public Dependence compute() {
        if (feature == null) {
            throw new IllegalStateException("Name the feature first, for example setFeature(\"recency_days\").");
        }
        return compute(model, df, feature, points, sample, curves, seed);
    }

    /**
     * Partial dependence and ICE curves.
     *
     * @param model the model
     * @param df rows holding the model's raw columns
     * @param feature one of the model's raw columns
     * @param points grid points
     * @param sample customers sampled for the average
     * @param curves ICE curves kept (the first sampled customers)
     * @param seed the sample's seed
     * @return the curves
     */
    private static Dependence compute(PropensityModel model, Dataset<?> df, String feature, int points, int sample,
            int curves, long seed) {
        if (!model.metadata().features().contains(feature)) {
            throw new IllegalArgumentException("'" + feature + "' is not a feature of model '" + model.metadata().name()
                    + "'; its features are " + model.metadata().features());
        }
        if (points < 2 || sample < 1 || curves < 0) {
            throw new IllegalArgumentException("Dependence needs at least 2 grid points and 1 sampled row; got "
                    + points + " points, " + sample + " rows, " + curves + " curves");
        }
        DataType type = df.schema().apply(feature).dataType();
        boolean categorical = !(type instanceof NumericType);
        List<String> grid = new ArrayList<>();
        double[] values = categorical ? new double[0] : numericGrid(df, feature, points);
        if (categorical) {
            df.where(Columns.named(feature).isNotNull()).groupBy(Columns.named(feature)).count()
                    .orderBy(functions.col("count").desc(), Columns.named(feature)).limit(points).collectAsList()
                    .forEach(r -> grid.add(r.get(0).toString()));
        } else {
            Arrays.stream(values).forEach(v -> grid.add(Double.toString(v)));
        }
        long total = df.count();
        Dataset<Row> sampled = (total > sample ? df.sample(false, Math.min(1.0, 1.5 * sample / total), seed)
                .limit(sample) : df.toDF()).withColumn(ROW, functions.monotonically_increasing_id())
                .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            return score(model, sampled, feature, type, categorical, grid, values, curves);
        } finally {
            sampled.unpersist();
        }
    }
    private static double[] numericGrid(Dataset<?> df, String feature, int points) {
        double[] probabilities = new double[points];
        for (int k = 1; k <= points; k++) {
            probabilities[k - 1] = (double) k / (points + 1);
        }
        double[] q = QuantileEdges.at(df, new String[] {feature}, probabilities)[0];
        if (q.length == 0) {
            throw new IllegalArgumentException("Column '" + feature + "' holds no number; there is no grid to vary"
                    + " it over.");
        }
        return Arrays.stream(q).distinct().toArray();
    }
    private static Dependence score(PropensityModel model, Dataset<Row> sampled, String feature, DataType type,
            boolean categorical, List<String> grid, double[] values, int curves) {
        List<Row> points = new ArrayList<>();
        for (int k = 0; k < grid.size(); k++) {
            points.add(RowFactory.create(k, categorical ? null : values[k], categorical ? grid.get(k) : null));
        }
        Dataset<Row> gridFrame = sampled.sparkSession().createDataFrame(points, new StructType().add(POINT, "int")
                .add("_kit_number", "double").add("_kit_level", "string"));
        Column value = functions.col(categorical ? "_kit_level" : "_kit_number").cast(type);
        List<Column> cols = new ArrayList<>();
        for (String c : sampled.columns()) {
            cols.add(c.equals(feature) ? value.as(c) : Columns.named(c));
        }
        cols.add(functions.col(POINT));
        Dataset<Row> varied = sampled.crossJoin(functions.broadcast(gridFrame)).select(cols.toArray(new Column[0]));
        Dataset<Row> scored = Propensity.scorer(model).optOutputCol(SCORE).build().transform(varied)
                .select(ROW, POINT, SCORE).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            double[] average = new double[grid.size()];
            long rows = 0;
            for (Row r : scored.groupBy(POINT).agg(functions.avg(SCORE), functions.count(functions.lit(1)))
                    .collectAsList()) {
                average[r.getInt(0)] = r.getDouble(1);
                rows = r.getLong(2);
            }
            List<Long> shown = scored.select(ROW).distinct().orderBy(ROW).limit(curves).collectAsList().stream()
                    .map(r -> r.getLong(0)).toList();
            List<double[]> ice = new ArrayList<>();
            shown.forEach(id -> ice.add(new double[grid.size()]));
            if (!shown.isEmpty()) {
                for (Row r : scored.where(functions.col(ROW).isin(shown.toArray())).collectAsList()) {
                    ice.get(shown.indexOf(r.getLong(0)))[r.getInt(1)] = r.getDouble(2);
                }
            }
            return new Dependence(feature, categorical, grid, values, average, ice, rows);
        } finally {
            scored.unpersist();
        }
    }}
