package io.propensitykit.explain;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
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

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Partial dependence and ICE curves of one feature: a seeded sample of customers, each scored
 * once at every grid value of the feature with everything else as it is, through the batched
 * scorer in one Spark job (sample rows times grid points). The partial dependence is the average
 * curve; the ICE curves are the first customers' own.
 *
 * <pre>{@code
 * Dependence recency = Dependence.of(model, customers, "recency_days");
 * ScorePlots.dependence(recency).show();
 * }</pre>
 *
 * <p>A numeric feature's grid is its quantiles at {@code k/(points + 1)} (so the curve covers where
 * the data is); a categorical feature's grid is its most frequent levels.
 *
 * @param feature the feature
 * @param categorical whether the grid is levels rather than numbers
 * @param grid the grid's labels, in order (numbers as text for a numeric feature)
 * @param values the numeric grid values, empty for a categorical feature
 * @param average the mean score at each grid value: the partial dependence
 * @param ice one curve per sampled customer shown, scores at each grid value
 * @param rows the sampled customers behind the average
 */
public record Dependence(String feature, boolean categorical, List<String> grid, double[] values, double[] average,
        List<double[]> ice, long rows) implements Tabular {

    private static final String ROW = "_kit_row";
    private static final String POINT = "_kit_point";
    private static final String SCORE = "_kit_score";

    /** Keeps the lists as given. */
    public Dependence {
        grid = List.copyOf(grid);
        ice = List.copyOf(ice);
    }

    /**
     * The defaults: 20 grid points, 5,000 sampled customers, 30 ICE curves, seed 42.
     *
     * @param model the model
     * @param df rows holding the model's raw columns
     * @param feature one of the model's raw columns
     * @return the curves
     */
    public static Dependence of(PropensityModel model, Dataset<?> df, String feature) {
        return of(model, df, feature, 20, 5_000, 30, 42);
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
    static Dependence of(PropensityModel model, Dataset<?> df, String feature, int points, int sample,
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
    }

    /** @return one row per grid point: the feature's value and the average score there */
    @Override
    public Table table() {
        return Rows.of("partial dependence on " + feature, java.util.stream.IntStream.range(0, grid.size()).boxed()
                .toList()).text(feature, grid::get).number("average score", i -> average[i], 4).table();
    }

    /** @return the feature and the curves' size, as a notebook shows a value */
    @Override
    public String toString() {
        return "Dependence[" + feature + ", " + grid.size() + " grid points, " + rows + " customers, " + ice.size()
                + " curves]";
    }
}
