package io.propensitykit.monitor;

import io.propensitykit.internal.QuantileEdges;
import io.propensitykit.monitor.FeatureDrift.Numbers;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Aggregator;

import java.io.Serial;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One side's bins, filled row by row inside Spark: per numeric column, each fine bin's count, sum,
 * sum of squares, smallest and largest value; per categorical column, each level's count; per column,
 * its nulls (and NaN). A few kilobytes per numeric column whatever the rows, so each partition
 * sends one of these and the driver receives one.
 *
 * <p>Public only because Spark's serialization encoder, which carries it between partitions,
 * requires a public class; nothing outside this package can build or read one.
 */
public final class BinCounts implements Serializable {

    @Serial
    private static final long serialVersionUID = 1L;

    private long rows;
    private final long[] nulls;
    /** Per numeric column, per fine bin: count; null for a categorical column. */
    private final long[][] counts;
    private final double[][] sums;
    private final double[][] squares;
    private final double[][] min;
    private final double[][] max;
    /** Per categorical column, per level: its count in a one-element array; null for a numeric column. */
    private final Map<String, long[]>[] levels;
    /** Per categorical column, whether it had more than {@code maxLevels} levels (counts then incomplete). */
    private final boolean[] overflow;
    /** Per numeric column, its infinite values, which no bin holds. */
    private final long[] infinite;

    @SuppressWarnings("unchecked")
    private BinCounts(double[][] edges) {
        int n = edges.length;
        nulls = new long[n];
        counts = new long[n][];
        sums = new double[n][];
        squares = new double[n][];
        min = new double[n][];
        max = new double[n][];
        levels = new Map[n];
        overflow = new boolean[n];
        infinite = new long[n];
        for (int j = 0; j < n; j++) {
            if (edges[j] == null) {
                levels[j] = new HashMap<>();
            } else {
                int bins = edges[j].length + 1;
                counts[j] = new long[bins];
                sums[j] = new double[bins];
                squares[j] = new double[bins];
                min[j] = new double[bins];
                max[j] = new double[bins];
                Arrays.fill(min[j], Double.POSITIVE_INFINITY);
                Arrays.fill(max[j], Double.NEGATIVE_INFINITY);
            }
        }
    }

    /**
     * The aggregator that fills one {@code BinCounts} per side, over rows holding the compared
     * columns in order: numeric ones as double, categorical ones as string.
     *
     * @param edges per column, its fine bins' ascending edges; null for a categorical column
     * @param maxLevels the most levels a categorical column may have
     * @return the aggregator, to {@code select(counter.toColumn())}
     */
    static Aggregator<Row, BinCounts, BinCounts> counter(double[][] edges, int maxLevels) {
        return new Counter(edges, maxLevels, 0);
    }

    /**
     * As {@link #counter(double[][], int)}, over rows whose compared columns start at {@code offset}
     * (a segment's key before them, for a grouped aggregation).
     *
     * @param edges per column, its fine bins' ascending edges; null for a categorical column
     * @param maxLevels the most levels a categorical column may have
     * @param offset the ordinal of the first compared column
     * @return the aggregator
     */
    static Aggregator<Row, BinCounts, BinCounts> counter(double[][] edges, int maxLevels, int offset) {
        return new Counter(edges, maxLevels, offset);
    }

    long rows() {
        return rows;
    }

    long nulls(int j) {
        return nulls[j];
    }

    /** A numeric column's fine-bin counts, lowest bin first. */
    double[] counts(int j) {
        return Arrays.stream(counts[j]).asDoubleStream().toArray();
    }

    /** A categorical column's count per level. */
    Map<String, Long> levels(int j) {
        Map<String, Long> out = new HashMap<>();
        levels[j].forEach((level, n) -> out.put(level, n[0]));
        return out;
    }

    boolean overflowed(int j) {
        return overflow[j];
    }

    long infinite(int j) {
        return infinite[j];
    }

    /**
     * Column {@code j}'s bins as JSON: its nulls and, for a number, each fine bin's count, sum, sum
     * of squares, smallest and largest value (null in an empty bin); for a category, each level's
     * count, in level order.
     */
    JsonObject json(int j) {
        JsonObject o = new JsonObject();
        o.addProperty("nulls", nulls[j]);
        if (levels[j] != null) {
            JsonObject counted = new JsonObject();
            new TreeMap<>(levels[j]).forEach((level, n) -> counted.addProperty(level, n[0]));
            o.add("levels", counted);
            return o;
        }
        JsonArray n = new JsonArray();
        Arrays.stream(counts[j]).forEach(n::add);
        o.add("counts", n);
        o.add("sums", numbers(sums[j], counts[j]));
        o.add("squares", numbers(squares[j], counts[j]));
        o.add("min", numbers(min[j], counts[j]));
        o.add("max", numbers(max[j], counts[j]));
        return o;
    }

    private static JsonArray numbers(double[] values, long[] counts) {
        JsonArray a = new JsonArray();
        for (int i = 0; i < values.length; i++) {
            if (counts[i] == 0) {
                a.add(JsonNull.INSTANCE);
            } else {
                a.add(values[i]);
            }
        }
        return a;
    }

    /**
     * Bins read back from {@link #json(int)}, one object per column.
     *
     * @throws IllegalArgumentException when a column's bins do not match its edges
     */
    static BinCounts fromJson(double[][] edges, long rows, List<JsonObject> columns) {
        BinCounts b = new BinCounts(edges);
        b.rows = rows;
        for (int j = 0; j < edges.length; j++) {
            JsonObject o = columns.get(j);
            String name = o.get("name").getAsString();
            b.nulls[j] = nonNegative(name, "nulls", o.get("nulls").getAsLong());
            long total = b.nulls[j];
            if (edges[j] == null) {
                for (Map.Entry<String, JsonElement> e : o.getAsJsonObject("levels").entrySet()) {
                    long n = nonNegative(name, "level '" + e.getKey() + "'", e.getValue().getAsLong());
                    b.levels[j].put(e.getKey(), new long[] {n});
                    total += n;
                }
                requireAtMostRows(name, total, rows);
                continue;
            }
            JsonArray n = o.getAsJsonArray("counts");
            if (n.size() != b.counts[j].length) {
                throw new IllegalArgumentException("column " + (j + 1) + " has " + n.size() + " bins for "
                        + edges[j].length + " edges");
            }
            JsonArray sums = o.getAsJsonArray("sums");
            JsonArray squares = o.getAsJsonArray("squares");
            JsonArray min = o.getAsJsonArray("min");
            JsonArray max = o.getAsJsonArray("max");
            for (int i = 0; i < n.size(); i++) {
                b.counts[j][i] = nonNegative(name, "bin " + (i + 1), n.get(i).getAsLong());
                total += b.counts[j][i];
                if (b.counts[j][i] > 0) {
                    b.sums[j][i] = sums.get(i).getAsDouble();
                    b.squares[j][i] = squares.get(i).getAsDouble();
                    b.min[j][i] = min.get(i).getAsDouble();
                    b.max[j][i] = max.get(i).getAsDouble();
                    if (!(b.min[j][i] <= b.max[j][i]) || !Double.isFinite(b.min[j][i])
                            || !Double.isFinite(b.max[j][i])) {
                        throw new IllegalArgumentException("column '" + name + "' bin " + (i + 1) + " has min "
                                + b.min[j][i] + " and max " + b.max[j][i] + ", not a finite range");
                    }
                }
            }
            requireAtMostRows(name, total, rows);
        }
        return b;
    }

    private static long nonNegative(String column, String what, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("column '" + column + "' has a negative count " + count + " for "
                    + what);
        }
        return count;
    }

    private static void requireAtMostRows(String column, long counted, long rows) {
        if (counted > rows) {
            throw new IllegalArgumentException("column '" + column + "' counts " + counted + " values in a profile"
                    + " of " + rows + " rows");
        }
    }

    /**
     * A numeric column's mean, spread and quantiles, from the bins' counts, sums, squares, minima and
     * maxima; a quantile is read off its bin by rank, between the bin's smallest and largest value.
     */
    Optional<Numbers> numbers(int j) {
        long n = Arrays.stream(counts[j]).sum();
        if (n == 0) {
            return Optional.empty();
        }
        double mean = Arrays.stream(sums[j]).sum() / n;
        double std = Math.sqrt(Math.max(0, Arrays.stream(squares[j]).sum() / n - mean * mean));
        return Optional.of(new Numbers(mean, std, quantile(j, n, 0.1), quantile(j, n, 0.5), quantile(j, n, 0.9)));
    }

    private double quantile(int j, long n, double p) {
        double rank = p * n;
        double before = 0;
        double last = Double.NaN;
        for (int i = 0; i < counts[j].length; i++) {
            long in = counts[j][i];
            if (in == 0) {
                continue;
            }
            if (rank <= before + in) {
                double within = in <= 1 ? 0 : Math.max(0, rank - before - 1) / (in - 1);
                return min[j][i] + within * (max[j][i] - min[j][i]);
            }
            before += in;
            last = max[j][i];
        }
        return last;
    }

    private void add(Row row, int offset, double[][] edges, int maxLevels) {
        rows++;
        for (int j = 0; j < edges.length; j++) {
            int at = offset + j;
            if (row.isNullAt(at)) {
                nulls[j]++;
            } else if (edges[j] == null) {
                long[] n = levels[j].get(row.getString(at));
                if (n != null) {
                    n[0]++;
                } else if (levels[j].size() < maxLevels) {
                    levels[j].put(row.getString(at), new long[] {1});
                } else {
                    overflow[j] = true;
                }
            } else {
                double v = row.getDouble(at);
                if (Double.isNaN(v)) {
                    nulls[j]++;
                    continue;
                }
                // Beyond about 1.3e154 a square overflows, and the spread would be NaN: as good as infinite.
                if (Double.isInfinite(v * v)) {
                    infinite[j]++;
                    continue;
                }
                int bin = QuantileEdges.group(v, edges[j]);
                counts[j][bin]++;
                sums[j][bin] += v;
                squares[j][bin] += v * v;
                min[j][bin] = Math.min(min[j][bin], v);
                max[j][bin] = Math.max(max[j][bin], v);
            }
        }
    }

    private BinCounts merge(BinCounts other, int maxLevels) {
        rows += other.rows;
        for (int j = 0; j < nulls.length; j++) {
            nulls[j] += other.nulls[j];
            infinite[j] += other.infinite[j];
            if (levels[j] != null) {
                overflow[j] |= other.overflow[j];
                for (Map.Entry<String, long[]> e : other.levels[j].entrySet()) {
                    long[] n = levels[j].get(e.getKey());
                    if (n != null) {
                        n[0] += e.getValue()[0];
                    } else if (levels[j].size() < maxLevels) {
                        levels[j].put(e.getKey(), e.getValue());
                    } else {
                        overflow[j] = true;
                    }
                }
            } else {
                for (int i = 0; i < counts[j].length; i++) {
                    counts[j][i] += other.counts[j][i];
                    sums[j][i] += other.sums[j][i];
                    squares[j][i] += other.squares[j][i];
                    min[j][i] = Math.min(min[j][i], other.min[j][i]);
                    max[j][i] = Math.max(max[j][i], other.max[j][i]);
                }
            }
        }
        return this;
    }

    /** Spark's typed aggregation over one side: one buffer per partition, merged, never a row shuffled. */
    private static final class Counter extends Aggregator<Row, BinCounts, BinCounts> {

        @Serial
        private static final long serialVersionUID = 1L;

        private final double[][] edges;
        private final int maxLevels;
        private final int offset;

        Counter(double[][] edges, int maxLevels, int offset) {
            this.edges = edges;
            this.maxLevels = maxLevels;
            this.offset = offset;
        }

        @Override
        public BinCounts zero() {
            return new BinCounts(edges);
        }

        @Override
        public BinCounts reduce(BinCounts counts, Row row) {
            counts.add(row, offset, edges, maxLevels);
            return counts;
        }

        @Override
        public BinCounts merge(BinCounts a, BinCounts b) {
            return a.merge(b, maxLevels);
        }

        @Override
        public BinCounts finish(BinCounts counts) {
            return counts;
        }

        @Override
        public Encoder<BinCounts> bufferEncoder() {
            return Encoders.javaSerialization(BinCounts.class);
        }

        @Override
        public Encoder<BinCounts> outputEncoder() {
            return Encoders.javaSerialization(BinCounts.class);
        }
    }
}
