package io.propensitykit.metrics;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Counts of a column in equal-width bins, per group, counted inside Spark (one aggregation, bins
 * times groups numbers back), so a 100M-row column bins in the memory of a small one. What the
 * score, overlap and weight plots draw.
 *
 * <pre>{@code
 * Histogram byChannel = Histogram.of(scored, "propensity", "channel", 20);   // scores in [0, 1], per channel
 * Histogram arms = Histogram.byArm(withPs, "ps", "treated", 20);            // groups "treated" and "control"
 * Histogram w = Histogram.weightsByArm(weighted, "w", "treated", 30);       // between the smallest and largest
 * byChannel.shares("web");                                                  // each bin's share of the group
 * }</pre>
 *
 * @param column the binned column
 * @param group the column that makes the groups
 * @param lower the lower end of the first bin
 * @param upper the upper end of the last bin, which is closed
 * @param counts rows per bin for each group, groups in their display order
 */
public record Histogram(String column, String group, double lower, double upper, Map<String, long[]> counts)
        implements Tabular {

    /** The group names of {@link #byArm}. */
    public static final String TREATED = "treated";
    /** The group names of {@link #byArm}. */
    public static final String CONTROL = "control";

    /**
     * A histogram; the counts are kept as given.
     *
     * @param column the binned column
     * @param group the column that makes the groups
     * @param lower the lower end of the first bin
     * @param upper the upper end of the last bin
     * @param counts rows per bin for each group, each with the same number of bins
     */
    public Histogram {
        counts = Collections.unmodifiableMap(new LinkedHashMap<>(counts));
    }

    /**
     * Scores in [0, 1] binned per value of a group column (nulls as the group {@code "null"}).
     *
     * @param df the rows
     * @param scoreCol probabilities in [0, 1]
     * @param groupCol the group column (channel, device, label, ...)
     * @param bins the number of bins on [0, 1]
     * @return the histogram, groups in ascending order of their text
     */
    public static Histogram of(Dataset<?> df, String scoreCol, String groupCol, int bins) {
        Column score = Columns.probabilities(df, scoreCol);
        return count(df.select(functions.coalesce(functions.col(groupCol).cast("string"), functions.lit("null"))
                .as("g"), score.as("v")), scoreCol, groupCol, 0, 1, bins);
    }

    /**
     * Scores in [0, 1] binned for the treated and the controls.
     *
     * @param df the rows
     * @param scoreCol treatment propensities in [0, 1]
     * @param treatCol 0/1 treatment, every row
     * @param bins the number of bins on [0, 1]
     * @return the histogram with groups {@link #TREATED} and {@link #CONTROL}
     */
    public static Histogram byArm(Dataset<?> df, String scoreCol, String treatCol, int bins) {
        return byArm(Columns.scoresAndLabels(df, scoreCol, treatCol), scoreCol, treatCol, 0, 1, bins);
    }

    /**
     * Weights (or any numeric column) binned for the treated and the controls, between the
     * smallest and the largest value.
     *
     * @param df the rows
     * @param valueCol a numeric column, every row a finite number
     * @param treatCol 0/1 treatment, every row
     * @param bins the number of bins
     * @return the histogram with groups {@link #TREATED} and {@link #CONTROL}
     */
    public static Histogram weightsByArm(Dataset<?> df, String valueCol, String treatCol, int bins) {
        Dataset<Row> checked = Columns.valuesAndLabels(df, valueCol, treatCol);
        Row range = checked.agg(functions.min("s"), functions.max("s")).first();
        if (range.isNullAt(0)) {
            return byArm(checked, valueCol, treatCol, 0, 1, bins);
        }
        if (Double.isInfinite(range.getDouble(0)) || Double.isInfinite(range.getDouble(1))) {
            throw new IllegalArgumentException("Column '" + valueCol + "' holds an infinite value (from "
                    + range.getDouble(0) + " to " + range.getDouble(1) + "); a weight must be finite. Trim or"
                    + " stabilise the weights first.");
        }
        return byArm(checked, valueCol, treatCol, range.getDouble(0), range.getDouble(1), bins);
    }

    /** Bins checked rows ({@code s} the value, {@code y} the 0/1 treatment) per arm. */
    private static Histogram byArm(Dataset<Row> checked, String valueCol, String treatCol, double lower,
            double upper, int bins) {
        Column arm = functions.when(functions.col("y").equalTo(1), TREATED).otherwise(CONTROL);
        Histogram h = count(checked.select(arm.as("g"), functions.col("s").as("v")), valueCol, treatCol, lower, upper,
                bins);
        Map<String, long[]> arms = new LinkedHashMap<>();
        arms.put(TREATED, h.counts().getOrDefault(TREATED, new long[bins]));
        arms.put(CONTROL, h.counts().getOrDefault(CONTROL, new long[bins]));
        return new Histogram(valueCol, treatCol, lower, upper, arms);
    }

    /** Counts rows of (g, v) per group and bin; v is known to lie in [lower, upper]. */
    private static Histogram count(Dataset<Row> gv, String column, String group, double lower, double upper,
            int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("A histogram needs at least one bin; got " + bins);
        }
        double perUnit = upper > lower ? bins / (upper - lower) : 1;
        Column bin = functions.least(functions.floor(functions.col("v").minus(lower).multiply(perUnit)),
                functions.lit(bins - 1)).cast("int");
        Map<String, long[]> counts = new TreeMap<>();
        for (Row r : gv.groupBy(functions.col("g"), bin.as("b")).count().collectAsList()) {
            counts.computeIfAbsent(r.getString(0), k -> new long[bins])[r.getInt(1)] = r.getLong(2);
        }
        return new Histogram(column, group, lower, upper, counts);
    }

    /** @return one row per bin: its range and each group's rows in it */
    @Override
    public Table table() {
        double width = (upper - lower) / bins();
        Rows<Integer> rows = Rows.of("histogram of " + column, IntStream.range(0, bins()).boxed().toList())
                .number("from", b -> lower + b * width, 4).number("to", b -> lower + (b + 1) * width, 4);
        counts.forEach((name, c) -> rows.count(name, b -> c[b]));
        return rows.table();
    }

    /** @return the column, its groups, bins and rows */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Histogram[%s by %s: %d groups, %d bins, %,d rows]", column, group,
                counts.size(), bins(), counts.values().stream().flatMapToLong(Arrays::stream).sum());
    }

    /** @return the number of bins */
    public int bins() {
        return counts.values().stream().findFirst().map(c -> c.length).orElse(0);
    }

    /** @return each bin's centre */
    public double[] centres() {
        int bins = bins();
        double width = (upper - lower) / bins;
        double[] c = new double[bins];
        for (int b = 0; b < bins; b++) {
            c[b] = lower + (b + 0.5) * width;
        }
        return c;
    }

    /**
     * Each bin's share of the group's rows, 0 throughout for an empty group.
     *
     * @param group a group name
     * @return one share per bin
     */
    public double[] shares(String group) {
        long[] c = counts.get(group);
        if (c == null) {
            throw new IllegalArgumentException("No group '" + group + "' in the histogram of " + column + "; groups "
                    + counts.keySet());
        }
        long total = Arrays.stream(c).sum();
        return Arrays.stream(c).mapToDouble(v -> total == 0 ? 0 : (double) v / total).toArray();
    }
}
