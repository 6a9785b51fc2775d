package io.propensitykit.monitor;

import io.propensitykit.internal.Columns;
import io.propensitykit.internal.QuantileEdges;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.ModelMetadata;
import io.propensitykit.monitor.FeatureDrift.Kind;

import org.apache.commons.math3.stat.inference.ChiSquareTest;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Drift between a baseline and a current DataFrame, for the score and every feature, inside Spark:
 * the population stability index (PSI) on the baseline's quantile bins (categoricals level by
 * level, with the levels the baseline never had counted), the two-sample Kolmogorov-Smirnov
 * statistic on fine quantile bins, the share of nulls, and the mean and quantile shifts.
 *
 * <pre>{@code
 * DriftReport drift = Drift.forModel(model, lastWeek, thisWeek).setScore("propensity").compute();
 * drift.table();                   // ranked by PSI, with status STABLE / WATCH / ACT
 * drift.exceeds(0.25);             // what a pipeline gates on
 * }</pre>
 *
 * <p>A baseline used again and again (the training data, a launch week) is profiled once and
 * saved; each later check reads only the new data:
 *
 * <pre>{@code
 * Drift.forModel(model.metadata(), trainingData).setScore("propensity").profile().save(spark, "reference.json");
 * Drift.against(DriftProfile.load(spark, "reference.json"), thisWeek).compute();
 * }</pre>
 *
 * <p>The baseline is read twice (a quantile sketch of every numeric column in one job, then the
 * counts) and the current data once; each pass is one aggregation over all columns together, and
 * the driver receives bins, never rows. PSI is {@code sum((c - b) ln(c / b))} over the bins'
 * shares of all rows, nulls (and NaN) being a bin of their own, with shares below
 * {@link #SHARE_FLOOR} counted as {@code SHARE_FLOOR} so that an empty bin adds a finite amount.
 * The quantile bins are the baseline's {@code k/bins} quantiles (Spark's {@code approxQuantile}:
 * exact up to 100,000 rows, within 0.1% of the rank above), a value on an edge in the lower bin.
 * KS compares the non-null values' CDFs at the fine bins' edges (by default the baseline's
 * percentiles), so it is exact for the binned values and never above the exact statistic.
 */
public final class Drift {

    /** The smallest share a PSI bin counts with, so an empty bin adds a finite amount. */
    public static final double SHARE_FLOOR = 1e-4;
    /** The most levels a categorical column may have on either side. */
    public static final int MAX_LEVELS = 10_000;
    /** The usual PSI thresholds: watch from 0.1, act from 0.25. */
    public static final double WATCH = 0.1;
    /** The usual PSI thresholds: watch from 0.1, act from 0.25. */
    public static final double ACT = 0.25;

    private final Dataset<?> baseline;
    private final DriftProfile reference;
    private final Dataset<?> current;
    private final Map<String, Kind> columns = new LinkedHashMap<>();
    private String source = "";
    private int bins = 10;
    private int fineBins = 100;
    private int levels = 20;
    private double watch = WATCH;
    private double act = ACT;
    private double fdr = SegmentReport.DEFAULT_FDR;
    private long minSegmentRows = SegmentReport.DEFAULT_MIN_ROWS;

    private Drift(Dataset<?> baseline, DriftProfile reference, Dataset<?> current) {
        this.baseline = baseline;
        this.reference = reference;
        this.current = current;
    }

    /**
     * A drift check of the columns to be named with {@link #setScore}, {@link #setNumeric} and
     * {@link #setCategorical}.
     *
     * @param baseline the reference rows (last week's, the training data's)
     * @param current the rows to compare with them
     * @return the check, to configure and {@link #compute()}
     */
    public static Drift between(Dataset<?> baseline, Dataset<?> current) {
        return new Drift(baseline, null, current);
    }

    /**
     * A baseline alone, to {@link #profile()} once and compare later data with.
     *
     * @param baseline the reference rows
     * @return the check, to configure and {@link #profile()}
     */
    public static Drift of(Dataset<?> baseline) {
        return new Drift(baseline, null, null);
    }

    /**
     * A drift check against a saved baseline profile: only the current data is read, once. The
     * columns, their kinds and the bins are the profile's.
     *
     * @param reference the baseline's profile ({@code DriftProfile.load(spark, path)})
     * @param current the rows to compare with it
     * @return the check, to {@link #compute()}
     */
    public static Drift against(DriftProfile reference, Dataset<?> current) {
        Drift drift = new Drift(null, reference, current);
        drift.columns.putAll(reference.columns());
        drift.bins = reference.bins();
        drift.fineBins = reference.fineBins();
        return drift;
    }

    /**
     * A drift check of every feature a model reads: its feature spec's raw columns, categorical or
     * numeric as the spec says, or its features as numbers when it has no spec.
     *
     * @param model the model's metadata ({@code model.metadata()})
     * @param baseline the reference rows
     * @param current the rows to compare with them
     * @return the check, to which {@link #setScore} adds the score column
     */
    public static Drift forModel(ModelMetadata model, Dataset<?> baseline, Dataset<?> current) {
        Drift drift = new Drift(baseline, null, current);
        drift.source = model.name() + " " + model.version();
        FeatureSpec spec = model.spec();
        List<String> raw = model.features();
        for (int i = 0; i < raw.size(); i++) {
            drift.columns.put(raw.get(i), spec != null && spec.isCategorical(i) ? Kind.CATEGORICAL : Kind.NUMERIC);
        }
        return drift;
    }

    /**
     * A model's baseline alone, to {@link #profile()} once and compare later data with.
     *
     * @param model the model's metadata ({@code model.metadata()})
     * @param baseline the reference rows
     * @return the check, to which {@link #setScore} adds the score column
     */
    public static Drift forModel(ModelMetadata model, Dataset<?> baseline) {
        return forModel(model, baseline, null);
    }

    /**
     * @param col the score column, compared as a number and listed as the score
     * @return this
     */
    public Drift setScore(String col) {
        requireNoProfile();
        columns.put(col, Kind.SCORE);
        return this;
    }

    private void requireNoProfile() {
        if (reference != null) {
            throw new IllegalStateException("A check against a profile compares the profile's columns with the"
                    + " profile's bins; profile the baseline again to change them.");
        }
    }

    /**
     * @param cols numeric columns, compared on quantile bins
     * @return this
     */
    public Drift setNumeric(String... cols) {
        requireNoProfile();
        Arrays.stream(cols).forEach(c -> columns.put(c, Kind.NUMERIC));
        return this;
    }

    /**
     * @param cols categorical columns, compared level by level (as text)
     * @return this
     */
    public Drift setCategorical(String... cols) {
        requireNoProfile();
        Arrays.stream(cols).forEach(c -> columns.put(c, Kind.CATEGORICAL));
        return this;
    }

    /**
     * @param bins quantile bins of the PSI (default 10)
     * @param fineBins quantile bins of the KS statistic and the overlaid plot (default 100)
     * @return this
     */
    public Drift optBins(int bins, int fineBins) {
        requireNoProfile();
        if (bins < 2 || fineBins < 2) {
            throw new IllegalArgumentException("Drift needs at least 2 bins and 2 fine bins; got " + bins + " and "
                    + fineBins);
        }
        this.bins = bins;
        this.fineBins = fineBins;
        return this;
    }

    /**
     * @param levels the most frequent baseline levels that keep a PSI bin of their own (default 20);
     *     the rest share {@code (other)}
     * @return this
     */
    public Drift optLevels(int levels) {
        if (levels < 1) {
            throw new IllegalArgumentException("optLevels needs at least 1 level; got " + levels);
        }
        this.levels = levels;
        return this;
    }

    /**
     * @param watch the PSI from which a column is to watch (default 0.1)
     * @param act the PSI from which a column is to act on (default 0.25)
     * @return this
     */
    public Drift optThresholds(double watch, double act) {
        if (!(watch > 0 && act >= watch && Double.isFinite(act))) {
            throw new IllegalArgumentException("PSI thresholds must satisfy 0 < watch <= act; got watch " + watch
                    + " and act " + act);
        }
        this.watch = watch;
        this.act = act;
        return this;
    }

    /**
     * The false discovery rate of {@link #compareSegments}: the Benjamini-Hochberg level over all
     * segment × column tests (default 0.05).
     *
     * @param q in (0, 1)
     * @return this
     */
    public Drift optFdr(double q) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("optFdr takes a rate in (0, 1), such as 0.05; got " + q);
        }
        this.fdr = q;
        return this;
    }

    /**
     * @param rows the fewest rows a segment needs on each side to be tested (default 1,000); smaller
     *     segments are listed as skipped
     * @return this
     */
    public Drift optMinSegmentRows(long rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("optMinSegmentRows needs at least 1 row; got " + rows);
        }
        this.minSegmentRows = rows;
        return this;
    }

    /**
     * Drift within segments (device, channel, region: any columns), each segment against the same
     * segment of the baseline, on the whole baseline's bins. One pass over each side counts every
     * segment's bins at once (the baseline's quantile sketch aside). A cell (segment × column) is flagged only when its PSI
     * reaches the watch threshold and its chi-square test of the PSI bins' counts stays significant
     * after Benjamini-Hochberg at {@link #optFdr} over every cell tested: so that testing many
     * segments does not make chance look like drift.
     *
     * <pre>{@code
     * SegmentReport bySegment = Drift.forModel(model.metadata(), lastWeek, thisWeek).setScore("propensity")
     *     .compareSegments("device");
     * bySegment.summary();      // which segments moved, and how
     * }</pre>
     *
     * @param segmentColumns the columns whose values make the segments (a null value is the segment "null")
     * @return every cell tested, flagged ones first
     */
    public SegmentReport compareSegments(String... segmentColumns) {
        if (baseline == null || current == null) {
            throw new IllegalStateException("compareSegments needs the baseline's rows and the current rows"
                    + " (Drift.between or Drift.forModel with both): a saved profile holds no segments.");
        }
        if (segmentColumns.length == 0) {
            throw new IllegalArgumentException("Name at least one segment column, for example"
                    + " compareSegments(\"device\").");
        }
        for (String col : segmentColumns) {
            for (Dataset<?> side : List.of(baseline, current)) {
                if (!Arrays.asList(side.columns()).contains(col)) {
                    throw new IllegalArgumentException("Segment column '" + col + "' is not in the "
                            + (side == baseline ? "baseline" : "current data") + "; its columns are "
                            + Arrays.toString(side.columns()) + ".");
                }
            }
        }
        requireColumns(current, "current data");
        Map<String, double[]> fine = new HashMap<>();
        Map<String, double[]> coarse = new HashMap<>();
        edges(fine, coarse);
        List<String> names = new ArrayList<>(columns.keySet());
        Map<String, BinCounts> b = countBySegment(baseline, "baseline", names, fine::get, segmentColumns);
        Map<String, BinCounts> c = countBySegment(current, "current data", names, fine::get, segmentColumns);
        ColumnDrift compare = new ColumnDrift(levels, watch, act);
        List<SegmentReport.Cell> cells = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        TreeSet<String> segments = new TreeSet<>(b.keySet());
        segments.addAll(c.keySet());
        ChiSquareTest chi = new ChiSquareTest();
        for (String segment : segments) {
            BinCounts bs = b.get(segment);
            BinCounts cs = c.get(segment);
            long bRows = bs == null ? 0 : bs.rows();
            long cRows = cs == null ? 0 : cs.rows();
            if (bRows < minSegmentRows || cRows < minSegmentRows) {
                skipped.add(String.format(Locale.ROOT, "%s (%,d and %,d rows)", segment, bRows, cRows));
                continue;
            }
            for (int j = 0; j < names.size(); j++) {
                String name = names.get(j);
                FeatureDrift f = columns.get(name) == Kind.CATEGORICAL ? compare.categorical(name, j, bs, cs)
                        : compare.numeric(name, columns.get(name), j, fine.get(name), coarse.get(name), bs, cs);
                cells.add(new SegmentReport.Cell(segment, name, bRows, cRows, f.psi(), pValue(chi, f, bRows, cRows),
                        Double.NaN, false));
            }
        }
        return SegmentReport.of(List.of(segmentColumns), fdr, minSegmentRows, watch, cells, skipped);
    }

    /**
     * The chi-square test that a cell's two sides share one distribution over its PSI bins (counts
     * from the shares; bins empty on both sides left out); 1 when fewer than two bins hold rows.
     */
    private static double pValue(ChiSquareTest chi, FeatureDrift f, long bRows, long cRows) {
        List<long[]> kept = new ArrayList<>();
        for (int i = 0; i < f.baselineShares().length; i++) {
            long x = Math.round(f.baselineShares()[i] * bRows);
            long y = Math.round(f.currentShares()[i] * cRows);
            if (x + y > 0) {
                kept.add(new long[] {x, y});
            }
        }
        if (kept.size() < 2) {
            return 1.0;
        }
        long[] x = kept.stream().mapToLong(k -> k[0]).toArray();
        long[] y = kept.stream().mapToLong(k -> k[1]).toArray();
        return chi.chiSquareTestDataSetsComparison(x, y);
    }

    /**
     * One pass over a side: every segment's bins, filled by one typed aggregation grouped by the
     * segment's key (its columns' values as text, joined by " / ").
     */
    private Map<String, BinCounts> countBySegment(Dataset<?> df, String side, List<String> names,
            Function<String, double[]> fine, String[] segmentColumns) {
        Column[] keyParts = new Column[segmentColumns.length];
        for (int i = 0; i < segmentColumns.length; i++) {
            keyParts[i] = functions.coalesce(Columns.named(segmentColumns[i]).cast("string"), functions.lit("null"));
        }
        Column[] compared = new Column[names.size() + 1];
        compared[0] = functions.concat_ws(" / ", keyParts).as("_kit_segment");
        double[][] edges = new double[names.size()][];
        System.arraycopy(compared(names, fine, edges), 0, compared, 1, names.size());
        List<scala.Tuple2<String, BinCounts>> grouped = df.select(compared)
                .groupByKey((MapFunction<Row, String>) r -> r.getString(0), Encoders.STRING())
                .agg(BinCounts.counter(edges, MAX_LEVELS, 1).toColumn()).collectAsList();
        Map<String, BinCounts> out = new HashMap<>();
        for (scala.Tuple2<String, BinCounts> g : grouped) {
            requireComparable(g._2(), names, side + " (segment " + g._1() + ")");
            out.put(g._1(), g._2());
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("The " + side + " has no rows; drift needs rows on both sides.");
        }
        return out;
    }

    /**
     * Summarizes the baseline once (two passes: a quantile sketch of its numeric columns, then its
     * bins), to save and compare later data with ({@link #against}).
     *
     * @return the baseline's profile
     */
    public DriftProfile profile() {
        if (baseline == null) {
            throw new IllegalStateException("This check compares with a saved profile; there is no baseline to"
                    + " profile.");
        }
        List<String> names = new ArrayList<>(columns.keySet());
        Map<String, double[]> fine = new HashMap<>();
        Map<String, double[]> coarse = new HashMap<>();
        edges(fine, coarse);
        return new DriftProfile(columns, fine, coarse, count(baseline, "baseline", names, fine::get), bins,
                fineBins, source);
    }

    /** The baseline's fine and PSI edges of every numeric column, from one quantile sketch. */
    private void edges(Map<String, double[]> fine, Map<String, double[]> coarse) {
        requireColumns(baseline, "baseline");
        List<String> names = new ArrayList<>(columns.keySet());
        List<String> numeric = names.stream().filter(c -> columns.get(c) != Kind.CATEGORICAL).toList();
        double[] probabilities = probabilities();
        if (!numeric.isEmpty()) {
            double[][] q = QuantileEdges.at(baseline, numeric.toArray(new String[0]), probabilities);
            for (int j = 0; j < numeric.size(); j++) {
                if (q[j].length == 0 && baseline.isEmpty()) {
                    throw new IllegalArgumentException("The baseline has no rows, so there is nothing to compare"
                            + " with. Check its path and filter.");
                }
                if (q[j].length == 0) {
                    throw new IllegalArgumentException("Column '" + numeric.get(j) + "' has no number in the baseline"
                            + " (every row is null or NaN), so there is nothing to compare it with. Drop it from"
                            + " the check or fix the baseline.");
                }
                fine.put(numeric.get(j), Arrays.stream(q[j]).distinct().toArray());
                coarse.put(numeric.get(j), coarseEdges(q[j], probabilities));
            }
        }
    }

    /**
     * Runs the check: two passes over the baseline (none against a profile), one over the current
     * data.
     *
     * @return every column's drift, ranked by PSI
     */
    public DriftReport compute() {
        if (current == null) {
            throw new IllegalStateException("There is no current data to compare: Drift.between(baseline, current),"
                    + " Drift.forModel(model, baseline, current) or Drift.against(profile, current).");
        }
        requireColumns(current, "current data");
        DriftProfile base = reference != null ? reference : profile();
        List<String> names = base.names();
        BinCounts b = base.counts();
        BinCounts c = count(current, "current data", names, base::fine);
        List<FeatureDrift> out = new ArrayList<>();
        ColumnDrift compare = new ColumnDrift(levels, watch, act);
        for (int j = 0; j < names.size(); j++) {
            String name = names.get(j);
            out.add(columns.get(name) == Kind.CATEGORICAL ? compare.categorical(name, j, b, c)
                    : compare.numeric(name, columns.get(name), j, base.fine(name), base.coarse(name), b, c));
        }
        out.sort(Comparator.comparingDouble(FeatureDrift::psi).reversed().thenComparing(FeatureDrift::feature));
        return new DriftReport(b.rows(), c.rows(), watch, act, out);
    }

    /** The fine probabilities {@code k/fineBins} and the PSI's {@code k/bins}, merged. */
    private double[] probabilities() {
        TreeSet<Double> p = new TreeSet<>();
        for (int k = 1; k < fineBins; k++) {
            p.add((double) k / fineBins);
        }
        for (int k = 1; k < bins; k++) {
            p.add((double) k / bins);
        }
        return p.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The distinct quantiles at the PSI's probabilities {@code k/bins}, among those at all probabilities. */
    private double[] coarseEdges(double[] quantiles, double[] probabilities) {
        TreeSet<Double> edges = new TreeSet<>();
        for (int k = 1; k < bins; k++) {
            edges.add(quantiles[Arrays.binarySearch(probabilities, (double) k / bins)]);
        }
        return edges.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private void requireColumns(Dataset<?> df, String side) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("Name the columns to check: setScore, setNumeric or setCategorical.");
        }
        columns.forEach((c, kind) -> requireColumn(df, side, c, kind));
    }

    private static void requireColumn(Dataset<?> df, String side, String col, Kind kind) {
        if (!Arrays.asList(df.columns()).contains(col)) {
            throw new IllegalArgumentException("Column '" + col + "' is not in the " + side + "; its columns are "
                    + Arrays.toString(df.columns()) + ".");
        }
        DataType type = df.schema().apply(col).dataType();
        if (kind != Kind.CATEGORICAL && !(type instanceof NumericType)) {
            throw new IllegalArgumentException("Column '" + col + "' has type " + type.simpleString() + " in the "
                    + side + "; a numeric drift check needs numbers. Name it with setCategorical to compare its"
                    + " levels instead.");
        }
    }

    /**
     * One pass over a side: every column's bins filled row by row inside Spark (a typed
     * aggregation), so the driver receives one set of bins per side, never rows.
     */
    private BinCounts count(Dataset<?> df, String side, List<String> names, Function<String, double[]> fine) {
        double[][] edges = new double[names.size()][];
        BinCounts counts = df.select(compared(names, fine, edges)).select(BinCounts.counter(edges, MAX_LEVELS)
                .toColumn()).first();
        requireComparable(counts, names, side);
        if (counts.rows() == 0) {
            throw new IllegalArgumentException("The " + side + " has no rows; drift needs rows on both sides.");
        }
        return counts;
    }

    /**
     * The compared columns as the counter reads them (numbers as double, categories as text), and
     * each one's fine edges into {@code edges} (null for a category).
     */
    private Column[] compared(List<String> names, Function<String, double[]> fine, double[][] edges) {
        Column[] compared = new Column[names.size()];
        for (int j = 0; j < names.size(); j++) {
            String name = names.get(j);
            boolean categorical = columns.get(name) == Kind.CATEGORICAL;
            compared[j] = Columns.named(name).cast(categorical ? "string" : "double").as("c" + j);
            edges[j] = categorical ? null : fine.apply(name);
        }
        return compared;
    }

    /** Fails on a column the bins cannot compare: infinite values, or too many levels. */
    private static void requireComparable(BinCounts counts, List<String> names, String side) {
        for (int j = 0; j < names.size(); j++) {
            if (counts.infinite(j) > 0) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "Column '%s' holds %,d infinite"
                        + " value(s), or beyond ±1.3e154 where a square overflows, in the %s; drift compares finite"
                        + " numbers and counts nulls (and NaN) apart."
                        + " Cap them, make them null, or leave the column out.", names.get(j), counts.infinite(j),
                        side));
            }
            if (counts.overflowed(j)) {
                throw new IllegalArgumentException("Column '" + names.get(j) + "' has more than " + MAX_LEVELS
                        + " levels in the " + side + ", too many to compare level by level. Check it as numeric,"
                        + " group its levels first, or leave it out.");
            }
        }
    }

}
