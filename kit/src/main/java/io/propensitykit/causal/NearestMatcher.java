package io.propensitykit.causal;

import io.propensitykit.display.Formats;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

/** Nearest-neighbour matching itself, on the driver: the controls in a tree by logit, the treated in turn. */
final class NearestMatcher {

    private final Matching.Options options;
    private final List<Row> rows;
    private final double[][] inverse;
    /** Control rows by logit; at one logit, in the order read. */
    private final TreeMap<Double, ArrayDeque<Integer>> controls = new TreeMap<>();
    private final List<Integer> treatedRows = new ArrayList<>();
    private final double[] logits;

    NearestMatcher(Matching.Options options, List<Row> rows, double[][] inverse) {
        this.options = options;
        this.rows = rows;
        this.inverse = inverse;
        this.logits = new double[rows.size()];
    }

    Matching.Result run() {
        requireArmsAndUniqueIds();
        double sum = 0;
        double sumSq = 0;
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double e = checked(r);
            logits[i] = Math.log(e / (1 - e));
            sum += logits[i];
            sumSq += logits[i] * logits[i];
            if (r.getDouble(2) == 1) {
                treatedRows.add(i);
            } else {
                controls.computeIfAbsent(logits[i], k -> new ArrayDeque<>()).add(i);
            }
        }
        int n = rows.size();
        double mean = sum / n;
        double caliper = options.caliperSd * Math.sqrt(Math.max(0, sumSq / n - mean * mean) * n / (n - 1));
        List<Integer> order = new ArrayList<>(treatedRows);
        if (!options.replacement) {
            Collections.shuffle(order, new Random(options.seed));
        }
        List<long[]> pairs = new ArrayList<>();
        Map<Long, Double> weights = new HashMap<>();
        long unmatched = 0;
        for (int i : order) {
            List<Integer> chosen = inverse == null ? nearestOnLogit(logits[i], caliper)
                    : nearestOnCovariates(i, caliper);
            if (chosen.isEmpty()) {
                unmatched++;
                continue;
            }
            long treatedId = rows.get(i).getLong(0);
            weights.put(treatedId, 1.0);
            for (int c : chosen) {
                long controlId = rows.get(c).getLong(0);
                pairs.add(new long[] {treatedId, controlId});
                weights.merge(controlId, 1.0 / chosen.size(), Double::sum);
                if (!options.replacement) {
                    ArrayDeque<Integer> queue = controls.get(logits[c]);
                    queue.remove(c);
                    if (queue.isEmpty()) {
                        controls.remove(logits[c]);
                    }
                }
            }
        }
        return new Matching.Result(join(weights), List.copyOf(pairs), options.neighbours, treatedRows.size(),
                unmatched, caliper, options.seed);
    }

    /**
     * Both arms hold rows, and every row its own id: the pairs are joined back to the rows by id, so
     * a shared id would mix two customers' outcomes in one pair.
     */
    private void requireArmsAndUniqueIds() {
        long[] ids = new long[rows.size()];
        long treated = 0;
        for (int i = 0; i < ids.length; i++) {
            Row r = rows.get(i);
            if (r.isNullAt(0)) {
                throw new IllegalArgumentException("Id '" + Formats.oneLine(options.idCol) + "' is null in a row;"
                        + " matching needs a unique id per row.");
            }
            ids[i] = r.getLong(0);
            treated += r.getDouble(2) == 1 ? 1 : 0;
        }
        EstimateChecks.requireBothArms(options.treatCol, treated, ids.length,
                "Matching pairs treated rows with controls; with one arm there is nothing to match.");
        Arrays.sort(ids);
        long shared = 0;
        Long example = null;
        for (int i = 1; i < ids.length; i++) {
            if (ids[i] == ids[i - 1]) {
                shared++;
                example = example == null ? ids[i] : example;
            }
        }
        if (shared > 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Id '%s' is not unique: %,d rows repeat"
                    + " an id of another (for example %d). Matching joins its pairs back to the rows by id; give"
                    + " each row its own, for example with monotonically_increasing_id().",
                    Formats.oneLine(options.idCol), shared, example));
        }
    }

    /** The row's score, once it and the covariates are known to be usable. */
    private double checked(Row r) {
        double e = r.getDouble(1);
        if (!(e > 0 && e < 1)) {
            throw new IllegalArgumentException("Score '" + options.scoreCol + "' is " + e + " for id "
                    + r.getLong(0) + "; matching on the logit needs scores strictly inside (0, 1).");
        }
        for (int c = 3; c < r.size(); c++) {
            if (r.isNullAt(c) || !Double.isFinite(r.getDouble(c))) {
                throw new IllegalArgumentException("Covariate '" + options.covariates.get(c - 3) + "' is "
                        + (r.isNullAt(c) ? "null" : r.getDouble(c)) + " for id " + r.getLong(0)
                        + "; Mahalanobis matching needs finite covariates (impute or drop the row first).");
            }
        }
        return e;
    }

    /** Up to k controls nearest on the logit within the caliper: walks out both ways, lower first on a tie. */
    private List<Integer> nearestOnLogit(double t, double caliper) {
        Iterator<Map.Entry<Double, ArrayDeque<Integer>>> below = controls.headMap(t, true).descendingMap()
                .entrySet().iterator();
        Iterator<Map.Entry<Double, ArrayDeque<Integer>>> above = controls.tailMap(t, false).entrySet().iterator();
        Map.Entry<Double, ArrayDeque<Integer>> b = below.hasNext() ? below.next() : null;
        Map.Entry<Double, ArrayDeque<Integer>> a = above.hasNext() ? above.next() : null;
        List<Integer> chosen = new ArrayList<>();
        while (chosen.size() < options.neighbours && (a != null || b != null)) {
            boolean takeBelow = a == null || b != null && t - b.getKey() <= a.getKey() - t;
            Map.Entry<Double, ArrayDeque<Integer>> next = takeBelow ? b : a;
            if (Math.abs(next.getKey() - t) > caliper) {
                break;
            }
            for (Iterator<Integer> it = next.getValue().iterator(); it.hasNext()
                    && chosen.size() < options.neighbours;) {
                chosen.add(it.next());
            }
            if (takeBelow) {
                b = below.hasNext() ? below.next() : null;
            } else {
                a = above.hasNext() ? above.next() : null;
            }
        }
        return chosen;
    }

    /** Up to k controls nearest by Mahalanobis distance among those within the caliper on the logit. */
    private List<Integer> nearestOnCovariates(int treated, double caliper) {
        double t = logits[treated];
        NavigableMap<Double, ArrayDeque<Integer>> window = Double.isInfinite(caliper) ? controls
                : controls.subMap(t - caliper, true, t + caliper, true);
        List<double[]> candidates = new ArrayList<>();
        for (ArrayDeque<Integer> queue : window.values()) {
            for (int c : queue) {
                candidates.add(new double[] {mahalanobis(treated, c), c});
            }
        }
        // stable: at equal distance the lower logit, then the row read first, as the window lists them
        candidates.sort(Comparator.comparingDouble(c -> c[0]));
        return candidates.stream().limit(options.neighbours).map(c -> (int) c[1]).toList();
    }

    private double mahalanobis(int a, int b) {
        Row ra = rows.get(a);
        Row rb = rows.get(b);
        int d = inverse.length;
        double[] diff = new double[d];
        for (int i = 0; i < d; i++) {
            diff[i] = ra.getDouble(3 + i) - rb.getDouble(3 + i);
        }
        double s = 0;
        for (int i = 0; i < d; i++) {
            double row = 0;
            for (int j = 0; j < d; j++) {
                row += inverse[i][j] * diff[j];
            }
            s += diff[i] * row;
        }
        return s;
    }

    /** The matched rows of the input, with their weights, id first. */
    private Dataset<Row> join(Map<Long, Double> weights) {
        List<Row> weightRows = new ArrayList<>();
        weights.forEach((id, w) -> weightRows.add(RowFactory.create(id, w)));
        Dataset<Row> weightDf = options.df.sparkSession().createDataFrame(weightRows, new StructType()
                .add("__match_id", DataTypes.LongType).add("match_weight", DataTypes.DoubleType));
        Dataset<Row> matched = options.df.toDF().join(weightDf, functions.col(options.idCol).cast("long")
                .equalTo(weightDf.col("__match_id"))).drop("__match_id");
        List<String> cols = new ArrayList<>(List.of(matched.columns()));
        cols.remove(options.idCol);
        cols.add(0, options.idCol);
        return matched.selectExpr(cols.stream().map(c -> "`" + c + "`").toArray(String[]::new));
    }
}
