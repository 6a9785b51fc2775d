package io.propensitykit.causal;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * One-to-one nearest-neighbour matching of treated rows to controls on the logit of the
 * propensity score, within a caliper of {@code caliperSd} standard deviations of that logit
 * (0.2 by default, after Austin 2011), with or without replacement.
 *
 * <pre>{@code
 * Matching.Result m = Matching.nearest(customers, "customer_id", "p_treated", "treated", 0.2, false, 7);
 * Dataset<Row> matched = m.matched();            // matched rows, with a match_weight column
 * Balance.of(matched, "treated", covariates, "match_weight");
 * Effects.Estimate att = m.att("purchased", 200); // mean treated-minus-control outcome over pairs
 * }</pre>
 *
 * <p>Matching needs every score on the driver (an id and a logit per row, 16 bytes each), so it
 * refuses more than {@link #MAX_ROWS} rows; trim or sample first for larger tables.
 */
public final class Matching {

    /** The most rows matched on the driver. */
    public static final long MAX_ROWS = 20_000_000L;

    private Matching() {}

    /**
     * The matched sample.
     *
     * @param matched the input rows that were matched, with {@code match_weight} (how often the row
     *     is used: 1 for treated rows and for controls without replacement)
     * @param pairs treated id and control id of each pair
     * @param treated treated rows
     * @param unmatched treated rows with no control within the caliper
     * @param caliper the caliper on the logit scale
     * @param seed the seed of the matching order
     */
    public record Result(Dataset<Row> matched, List<long[]> pairs, long treated, long unmatched, double caliper,
            long seed) {

        /**
         * The average effect on the matched treated: the mean outcome difference over pairs, with a
         * seeded bootstrap over pairs.
         *
         * @param outcomeCol the numeric outcome
         * @param replicates bootstrap replicates
         * @return the estimate
         */
        public Effects.Estimate att(String outcomeCol, int replicates) {
            double[] diff = differences(outcomeCol);
            double estimate = Arrays.stream(diff).average().orElse(Double.NaN);
            Random random = new Random(seed);
            double[] boot = new double[replicates];
            for (int b = 0; b < replicates; b++) {
                double s = 0;
                for (int i = 0; i < diff.length; i++) {
                    s += diff[random.nextInt(diff.length)];
                }
                boot[b] = s / diff.length;
            }
            Arrays.sort(boot);
            return new Effects.Estimate("matching", estimate, Effects.percentile(boot, 0.025),
                    Effects.percentile(boot, 0.975), replicates, seed);
        }

        /**
         * The outcome difference of every pair, treated minus control, in pair order.
         *
         * @param outcomeCol the numeric outcome
         * @return one difference per pair
         */
        public double[] differences(String outcomeCol) {
            Map<Long, Double> y = new HashMap<>();
            String id = matched.columns()[0];
            for (Row r : matched.select(functions.col(id).cast("long"), functions.col(outcomeCol).cast("double"))
                    .collectAsList()) {
                y.put(r.getLong(0), r.getDouble(1));
            }
            double[] diff = new double[pairs.size()];
            for (int i = 0; i < diff.length; i++) {
                diff[i] = y.get(pairs.get(i)[0]) - y.get(pairs.get(i)[1]);
            }
            return diff;
        }

        /**
         * Rosenbaum bounds for the pairs: how much hidden bias the matched effect survives. With
         * replacement, a control in several pairs makes the pairs dependent, which the bounds ignore.
         *
         * @param outcomeCol the numeric outcome
         * @param alpha the significance level
         * @return the bounds
         */
        public Sensitivity.Rosenbaum sensitivity(String outcomeCol, double alpha) {
            return Sensitivity.rosenbaum(differences(outcomeCol), alpha);
        }
    }

    /**
     * Matches each treated row to its nearest control on the logit of the score.
     *
     * @param df the rows; {@code idCol} must be a unique long (or int) id
     * @param idCol the id column
     * @param scoreCol the treatment propensity, in (0, 1)
     * @param treatCol the 0/1 treatment
     * @param caliperSd the caliper in standard deviations of the logit (0.2 is customary)
     * @param replacement whether a control may serve several treated rows
     * @param seed orders the treated rows for matching without replacement
     * @return the matched sample
     */
    public static Result nearest(Dataset<?> df, String idCol, String scoreCol, String treatCol, double caliperSd,
            boolean replacement, long seed) {
        long n = df.count();
        if (n > MAX_ROWS) {
            throw new IllegalArgumentException("Matching brings every score to the driver; " + n + " rows is more than "
                    + MAX_ROWS + ". Trim or sample the controls first.");
        }
        List<Row> rows = df.select(functions.col(idCol).cast("long"), functions.col(scoreCol).cast("double"),
                Columns.binary(df, treatCol)).collectAsList();
        List<long[]> treatedIds = new ArrayList<>();
        List<Double> treatedLogits = new ArrayList<>();
        TreeMap<Double, ArrayDeque<Long>> controls = new TreeMap<>();
        double sum = 0;
        double sumSq = 0;
        for (Row r : rows) {
            double e = r.getDouble(1);
            if (!(e > 0 && e < 1)) {
                throw new IllegalArgumentException("Score '" + scoreCol + "' is " + e + " for id " + r.getLong(0)
                        + "; matching on the logit needs scores strictly inside (0, 1).");
            }
            double logit = Math.log(e / (1 - e));
            sum += logit;
            sumSq += logit * logit;
            if (r.getDouble(2) == 1) {
                treatedIds.add(new long[] {r.getLong(0)});
                treatedLogits.add(logit);
            } else {
                controls.computeIfAbsent(logit, k -> new ArrayDeque<>()).add(r.getLong(0));
            }
        }
        double mean = sum / rows.size();
        double sd = Math.sqrt(Math.max(0, sumSq / rows.size() - mean * mean) * rows.size() / (rows.size() - 1));
        double caliper = caliperSd * sd;
        Integer[] order = new Integer[treatedIds.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        if (!replacement) {
            java.util.Collections.shuffle(Arrays.asList(order), new Random(seed));
        }
        List<long[]> pairs = new ArrayList<>();
        Map<Long, Integer> uses = new HashMap<>();
        for (int i : order) {
            double t = treatedLogits.get(i);
            Map.Entry<Double, ArrayDeque<Long>> below = controls.floorEntry(t);
            Map.Entry<Double, ArrayDeque<Long>> above = controls.ceilingEntry(t);
            Map.Entry<Double, ArrayDeque<Long>> best = below == null ? above : above == null ? below
                    : t - below.getKey() <= above.getKey() - t ? below : above;
            if (best == null || Math.abs(best.getKey() - t) > caliper) {
                continue;
            }
            long control = replacement ? best.getValue().peekFirst() : best.getValue().pollFirst();
            if (!replacement && best.getValue().isEmpty()) {
                controls.remove(best.getKey());
            }
            pairs.add(new long[] {treatedIds.get(i)[0], control});
            uses.merge(treatedIds.get(i)[0], 1, Integer::sum);
            uses.merge(control, 1, Integer::sum);
        }
        List<Row> weights = new ArrayList<>();
        uses.forEach((id, count) -> weights.add(RowFactory.create(id, (double) count)));
        SparkSession spark = df.sparkSession();
        Dataset<Row> weightDf = spark.createDataFrame(weights, new StructType()
                .add("__match_id", DataTypes.LongType).add("match_weight", DataTypes.DoubleType));
        Dataset<Row> matched = df.toDF().join(weightDf, functions.col(idCol).cast("long")
                .equalTo(weightDf.col("__match_id"))).drop("__match_id");
        List<String> cols = new ArrayList<>(List.of(matched.columns()));
        cols.remove(idCol);
        cols.add(0, idCol);
        matched = matched.selectExpr(cols.stream().map(c -> "`" + c + "`").toArray(String[]::new));
        return new Result(matched, List.copyOf(pairs), treatedIds.size(), treatedIds.size() - pairs.size(), caliper,
                seed);
    }
}
