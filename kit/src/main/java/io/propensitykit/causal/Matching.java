package io.propensitykit.causal;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.LUDecomposition;
import org.apache.commons.math3.linear.RealMatrix;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Nearest-neighbour matching of treated rows to controls, for the effect on the treated: on the
 * logit of the propensity score, or on covariates (Mahalanobis distance) within a caliper on that
 * logit; one or k controls per treated row; with or without replacement.
 *
 * <pre>{@code
 * Matching.Result pairs = Matching.nearest(customers, "customer_id", "p_treated", "treated");
 * Matching.Result sets = Matching.on(customers).setId("customer_id").setScore("p_treated").setTreatment("treated")
 *     .optNeighbours(3).optCovariates("age", "educ", "re75").optWithReplacement().compute();
 * Effects.Estimate att = sets.att("purchased", 200);   // mean over treated of y minus its controls' mean
 * Balance.of(sets.matched(), "treated", covariates, "match_weight");
 * }</pre>
 *
 * <p>The caliper is {@code caliperSd} standard deviations of the logit over all rows (0.2 by
 * default, after Austin 2011); a treated row with no control inside it stays unmatched and is
 * counted. Controls are taken nearest first; at equal distance the one with the lower logit, then
 * the one read first. The Mahalanobis distance uses the pooled within-arm covariance of the
 * covariates (as MatchIt does), computed in one Spark aggregation. Without replacement the treated
 * rows are matched in an order shuffled by the seed, each taking controls no earlier row took.
 *
 * <p>Matching needs every score (and covariate) on the driver, so it refuses more than
 * {@link #MAX_ROWS} rows; trim or sample first for larger tables. Every other estimator in this
 * package runs as Spark aggregations.
 */
public final class Matching {

    /** The most rows matched on the driver. */
    public static final long MAX_ROWS = 20_000_000L;

    private Matching() {}

    /**
     * The matched sample.
     *
     * @param matched the input rows that were matched, with {@code match_weight}: 1 for a matched
     *     treated row; for a control, the sum over the treated rows it serves of 1/(their number of
     *     controls), so the weighted arms have equal totals
     * @param pairs treated id and control id of every match, grouped by treated row in matching order
     * @param neighbours the controls asked for per treated row
     * @param treated treated rows
     * @param unmatched treated rows with no control within the caliper
     * @param caliper the caliper on the logit scale
     * @param seed the seed of the matching order
     */
    public record Result(Dataset<Row> matched, List<long[]> pairs, int neighbours, long treated, long unmatched,
            double caliper, long seed) implements Tabular {

        /** @return one row: treated rows, matched and unmatched, pairs, controls per row and the caliper */
        @Override
        public Table table() {
            return Rows.of("matching", List.of(this)).count("treated", Result::treated)
                    .count("matched", r -> r.treated() - r.unmatched()).count("unmatched", Result::unmatched)
                    .count("pairs", r -> r.pairs().size()).count("neighbours", Result::neighbours)
                    .number("caliper (logit)", Result::caliper, 4).table();
        }

        /** @return how many treated rows found controls, and the caliper, rounded */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Matching.Result[%,d of %,d treated matched, %,d pairs,"
                    + " caliper %.4f]", treated - unmatched, treated, pairs.size(), caliper);
        }

        /**
         * The average effect on the matched treated: the mean over treated rows of their outcome
         * minus the mean outcome of their controls, with a seeded bootstrap over treated rows.
         *
         * @param outcomeCol the numeric outcome
         * @param replicates bootstrap replicates
         * @return the estimate
         */
        public Effects.Estimate att(String outcomeCol, int replicates) {
            PoissonBootstrap.requireReplicates(replicates);
            double[] diff = setDifferences(outcomeCol);
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
            String method = neighbours == 1 ? "matching" : "matching (" + neighbours + " neighbours)";
            return new Effects.Estimate(method, estimate, PoissonBootstrap.percentile(boot, 0.025),
                    PoissonBootstrap.percentile(boot, 0.975), replicates, seed);
        }

        /**
         * The outcome difference of every pair, treated minus control, in pair order; for
         * one-to-one matching only.
         *
         * @param outcomeCol the numeric outcome
         * @return one difference per pair
         */
        public double[] differences(String outcomeCol) {
            if (neighbours != 1) {
                throw new IllegalStateException("Pair differences need one control per treated row; this matching"
                        + " took " + neighbours + ". Use att(), or match with optNeighbours(1).");
            }
            return setDifferences(outcomeCol);
        }

        /** Per matched treated row: its outcome minus the mean outcome of its controls. */
        private double[] setDifferences(String outcomeCol) {
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("No treated row found a control within the caliper: there is no"
                        + " matched effect. Widen the caliper (optCaliper) or check the overlap of the scores.");
            }
            Map<Long, Double> y = new HashMap<>();
            String id = matched.columns()[0];
            for (Row r : matched.select(functions.col(id).cast("long"), functions.col(outcomeCol).cast("double"))
                    .collectAsList()) {
                if (r.isNullAt(1) || Double.isNaN(r.getDouble(1))) {
                    throw new IllegalArgumentException("Outcome '" + outcomeCol + "' is " + (r.isNullAt(1) ? "null"
                            : "NaN") + " for matched id " + r.getLong(0) + ": the matched effect would be NaN. Drop"
                            + " or impute such rows before matching.");
                }
                y.put(r.getLong(0), r.getDouble(1));
            }
            Map<Long, double[]> sets = new LinkedHashMap<>();
            for (long[] pair : pairs) {
                double[] s = sets.computeIfAbsent(pair[0], k -> new double[2]);
                s[0] += y.get(pair[1]);
                s[1]++;
            }
            double[] diff = new double[sets.size()];
            int i = 0;
            for (Map.Entry<Long, double[]> set : sets.entrySet()) {
                diff[i++] = y.get(set.getKey()) - set.getValue()[0] / set.getValue()[1];
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
     * Nearest-neighbour matching with the defaults: one control per treated row on the logit of
     * the score, within 0.2 standard deviations, without replacement, seed 7.
     *
     * @param df the rows; {@code idCol} must be a unique long (or int) id
     * @param idCol the id column
     * @param scoreCol the treatment propensity, in (0, 1)
     * @param treatCol the 0/1 treatment
     * @return the matched sample
     */
    public static Result nearest(Dataset<?> df, String idCol, String scoreCol, String treatCol) {
        return on(df).setId(idCol).setScore(scoreCol).setTreatment(treatCol).compute();
    }

    /**
     * Starts a matching of the treated rows of {@code df}: name the id, the score and the treatment,
     * then {@link Options#compute()}. One nearest control on the logit of the score within 0.2
     * standard deviations, without replacement, seed 7, unless the options say otherwise.
     *
     * @param df the rows
     * @return the matching to configure
     */
    public static Options on(Dataset<?> df) {
        return new Options(df);
    }

    /** How to match: the required id, score and treatment; neighbours, covariates, caliper, replacement, seed. */
    public static final class Options {

        final Dataset<?> df;
        String idCol;
        String scoreCol;
        String treatCol;
        int neighbours = 1;
        List<String> covariates = List.of();
        double caliperSd = 0.2;
        boolean replacement;
        long seed = 7;

        private Options(Dataset<?> df) {
            this.df = java.util.Objects.requireNonNull(df, "df");
        }

        /**
         * The id column (required): a unique long (or int) per row.
         *
         * @param col the id column
         * @return these options
         */
        public Options setId(String col) {
            this.idCol = col;
            return this;
        }

        /**
         * The treatment propensity (required), in (0, 1).
         *
         * @param col the score column
         * @return these options
         */
        public Options setScore(String col) {
            this.scoreCol = col;
            return this;
        }

        /**
         * The treatment column (required).
         *
         * @param col a 0/1 or boolean column
         * @return these options
         */
        public Options setTreatment(String col) {
            this.treatCol = col;
            return this;
        }

        /**
         * Takes up to {@code k} controls per treated row (fewer where the caliper holds fewer).
         *
         * @param k at least 1
         * @return these options
         */
        public Options optNeighbours(int k) {
            if (k < 1) {
                throw new IllegalArgumentException("neighbours must be at least 1, found " + k);
            }
            this.neighbours = k;
            return this;
        }

        /**
         * Matches on these covariates by Mahalanobis distance, among the controls within the
         * caliper on the score's logit; none (the default) matches on the logit alone.
         *
         * @param cols numeric covariates
         * @return these options
         */
        public Options optCovariates(String... cols) {
            return optCovariates(List.of(cols));
        }

        /**
         * Matches on these covariates by Mahalanobis distance within the caliper.
         *
         * @param cols numeric covariates
         * @return these options
         */
        public Options optCovariates(List<String> cols) {
            this.covariates = List.copyOf(cols);
            return this;
        }

        /**
         * The caliper in standard deviations of the logit (0.2 by default); {@code Double.POSITIVE_INFINITY} for none.
         *
         * @param sd positive
         * @return these options
         */
        public Options optCaliper(double sd) {
            if (!(sd > 0)) {
                throw new IllegalArgumentException("The caliper must be positive (or infinite for none), found " + sd);
            }
            this.caliperSd = sd;
            return this;
        }

        /**
         * Lets a control serve several treated rows (without replacement by default).
         *
         * @return these options
         */
        public Options optWithReplacement() {
            this.replacement = true;
            return this;
        }

        /**
         * The seed of the order in which treated rows choose, without replacement, and of the bootstrap (7 by default).
         *
         * @param s the seed
         * @return these options
         */
        public Options optSeed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Matches on the driver and joins the weights back to the rows in Spark.
         *
         * @return the matched sample
         */
        public Result compute() {
            Settings.required(idCol, "the id column", "setId(\"customer_id\")");
            Settings.required(scoreCol, "the score column", "setScore(\"ps\")");
            Settings.required(treatCol, "the treatment column", "setTreatment(\"treated\")");
            long n = df.count();
            if (n * (1 + covariates.size() / 2.0) > MAX_ROWS) {
                throw new IllegalArgumentException("Matching brings every score" + (covariates.isEmpty() ? ""
                        : " and covariate") + " to the driver; " + n + " rows is more than it allows ("
                        + MAX_ROWS + " rows on the score alone). Trim or sample the controls first.");
            }
            Column t = Columns.binary(df, treatCol);
            List<Column> cols = new ArrayList<>(List.of(functions.col(idCol).cast("long"),
                    functions.col(scoreCol).cast("double"), t));
            for (String c : covariates) {
                cols.add(Columns.numeric(df, c));
            }
            double[][] inverse = covariates.isEmpty() ? null : pooledCovarianceInverse(t);
            List<Row> rows = df.select(cols.toArray(new Column[0])).collectAsList();
            return new NearestMatcher(this, rows, inverse).run();
        }

        /** The inverse of the pooled within-arm covariance of the covariates, from one aggregation. */
        private double[][] pooledCovarianceInverse(Column t) {
            int d = covariates.size();
            List<Column> aggs = new ArrayList<>();
            for (int i = 0; i < d; i++) {
                aggs.add(functions.sum(functions.col(covariates.get(i)).cast("double")));
                for (int j = i; j < d; j++) {
                    aggs.add(functions.sum(functions.col(covariates.get(i)).cast("double")
                            .multiply(functions.col(covariates.get(j)).cast("double"))));
                }
            }
            double[][] pooled = new double[d][d];
            long total = 0;
            for (Row r : df.groupBy(t.as("arm")).agg(functions.count(functions.lit(1)),
                    aggs.toArray(new Column[0])).collectAsList()) {
                long count = r.getLong(1);
                total += count;
                double[] mean = new double[d];
                int k = 2;
                double[][] cross = new double[d][d];
                for (int i = 0; i < d; i++) {
                    mean[i] = r.getDouble(k++) / count;
                    for (int j = i; j < d; j++) {
                        cross[i][j] = r.getDouble(k++);
                    }
                }
                for (int i = 0; i < d; i++) {
                    for (int j = i; j < d; j++) {
                        pooled[i][j] += cross[i][j] - count * mean[i] * mean[j];
                        pooled[j][i] = pooled[i][j];
                    }
                }
            }
            RealMatrix covariance = new Array2DRowRealMatrix(pooled).scalarMultiply(1.0 / (total - 2));
            LUDecomposition lu = new LUDecomposition(covariance);
            if (!lu.getSolver().isNonSingular()) {
                throw new IllegalArgumentException("The covariates " + covariates + " are collinear (or one is"
                        + " constant within both arms): their covariance has no inverse. Drop the redundant ones.");
            }
            return lu.getSolver().getInverse().getData();
        }
    }
}
