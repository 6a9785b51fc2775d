package io.propensitykit.causal;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;
import io.propensitykit.internal.QuantileEdges;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Subclassification on the propensity score: rows fall into strata at quantiles of the score, the
 * effect is the difference in mean outcome within each stratum, and the estimand decides how strata
 * are weighted (the ATT by their treated, the ATC by their controls, the ATE by all their rows). A
 * stratum without treated or without controls cannot be compared: it is dropped, and reported.
 *
 * <pre>{@code
 * Stratification s = Stratification.on(df).setScore("p_treated").setTreatment("treated")
 *     .optEstimand(Estimand.ATT).optStrata(5).compute();
 * Effects.Estimate att = s.effect("earnings", 200, 7);
 * z.show(s.table());                                   // strata: score range, counts, kept or dropped
 * Balance within = s.balance(List.of("age", "educ")); // balance after stratification weights
 * }</pre>
 *
 * <p>Everything is a Spark aggregation over (stratum, arm): the driver holds O(strata × covariates).
 * Strata edges follow the kit's quantile rule ({@link QuantileEdges}) over the estimand's rows: the
 * treated for the ATT (as MatchIt subclasses), the controls for the ATC, everyone for the ATE.
 */
public final class Stratification implements Tabular {

    /**
     * One stratum.
     *
     * @param index 0 for the lowest scores
     * @param lower the score above which rows fall in it (exclusive; -infinity for the first)
     * @param upper the highest score in it (inclusive; +infinity for the last)
     * @param treated treated rows
     * @param controls control rows
     */
    public record Stratum(int index, double lower, double upper, long treated, long controls) {

        /** @return the stratum, its score range and its arms, rounded */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Stratum[%d: %s to %s, %,d treated, %,d controls]", index + 1,
                    bound(lower), bound(upper), treated, controls);
        }

        /** @return whether it has both treated and controls, so that it can be compared */
        public boolean kept() {
            return treated > 0 && controls > 0;
        }
    }

    private final Dataset<Row> rows;
    private final String treatCol;
    private final Estimand estimand;
    private final List<Stratum> strata;

    private Stratification(Dataset<Row> rows, String treatCol, Estimand estimand, List<Stratum> strata) {
        this.rows = rows;
        this.treatCol = treatCol;
        this.estimand = estimand;
        this.strata = strata;
    }

    /** The column holding each row's stratum. */
    public static final String STRATUM_COL = "stratum";

    /**
     * Starts a stratification of these rows: name the score and the treatment, then
     * {@link Stratifier#compute()}.
     *
     * @param df the rows
     * @return the stratification to configure
     */
    public static Stratifier on(Dataset<?> df) {
        return new Stratifier(df);
    }

    /**
     * Subclassifies rows on the score.
     *
     * @param df the rows
     * @param scoreCol the treatment propensity (any monotone score works)
     * @param treatCol the 0/1 treatment
     * @param estimand ATT, ATC or ATE: which rows set the quantiles and weigh the strata
     * @param count the number of strata, at least 2
     * @return the strata
     */
    static Stratification of(Dataset<?> df, String scoreCol, String treatCol, Estimand estimand, int count) {
        if (count < 2) {
            throw new IllegalArgumentException("Stratification needs at least 2 strata, found " + count);
        }
        Column t = Columns.binary(df, treatCol);
        Dataset<?> base = switch (estimand) {
            case ATT -> df.where(t.equalTo(1));
            case ATC -> df.where(t.equalTo(0));
            case ATE -> df;
        };
        return withEdges(df, scoreCol, treatCol, estimand, QuantileEdges.of(base, scoreCol, count));
    }

    /**
     * Subclassifies rows at given score edges: a row falls in the stratum of the number of edges
     * strictly below its score, so a score on an edge goes to the lower stratum.
     *
     * @param df the rows
     * @param scoreCol the treatment propensity
     * @param treatCol the 0/1 treatment
     * @param estimand ATT, ATC or ATE: how strata are weighed
     * @param edges ascending interior edges (a repeated edge leaves an empty stratum); {@code edges.length + 1}
     *     strata
     * @return the strata
     */
    static Stratification withEdges(Dataset<?> df, String scoreCol, String treatCol, Estimand estimand,
            double[] edges) {
        for (int i = 1; i < edges.length; i++) {
            if (edges[i] < edges[i - 1]) {
                throw new IllegalArgumentException("Stratum edges must ascend: " + java.util.Arrays.toString(edges));
            }
        }
        int count = edges.length + 1;
        Column t = Columns.binary(df, treatCol);
        Dataset<Row> stratified = df.toDF().withColumn(STRATUM_COL,
                QuantileEdges.group(Columns.numeric(df, scoreCol), edges));
        long[][] counts = new long[count][2];
        for (Row r : stratified.groupBy(functions.col(STRATUM_COL), t.as("t")).count().collectAsList()) {
            counts[r.getInt(0)][(int) r.getDouble(1)] = r.getLong(2);
        }
        List<Stratum> strata = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            strata.add(new Stratum(s, s == 0 ? Double.NEGATIVE_INFINITY : edges[s - 1],
                    s == count - 1 ? Double.POSITIVE_INFINITY : edges[s], counts[s][1], counts[s][0]));
        }
        return new Stratification(stratified, treatCol, estimand, List.copyOf(strata));
    }

    /**
     * Dehejia and Wahba's rule: start from {@code start} strata of equal width on the probability
     * scale (0 to 0.2, 0.2 to 0.4, ... for 5), then halve every stratum in which the treated and the
     * controls differ in mean score (Welch's |t| above 1.96) and both arms have at least 2 rows,
     * round after round, until no stratum does (at most 10 rounds). Each round is one Spark
     * aggregation over (stratum, arm).
     *
     * @param df the rows, usually on the treated's common support ({@link Overlap#commonSupport})
     * @param scoreCol the treatment propensity, in [0, 1]
     * @param treatCol the 0/1 treatment
     * @param estimand how strata are weighed (DW: the ATT)
     * @param start the strata to start from
     * @return the strata
     */
    static Stratification balanced(Dataset<?> df, String scoreCol, String treatCol, Estimand estimand,
            int start) {
        Column t = Columns.binary(df, treatCol);
        Column score = Columns.numeric(df, scoreCol);
        double lo = 0;
        double hi = 1;
        List<Double> edges = new ArrayList<>();
        for (int k = 1; k < start; k++) {
            edges.add(lo + (hi - lo) * k / start);
        }
        for (int round = 0; round < 10; round++) {
            double[] current = edges.stream().mapToDouble(Double::doubleValue).toArray();
            double[][][] stats = new double[current.length + 1][2][];
            for (Row r : df.toDF().withColumn(STRATUM_COL, QuantileEdges.group(score, current))
                    .groupBy(functions.col(STRATUM_COL), t.as("t"))
                    .agg(functions.count(functions.lit(1)), functions.avg(score), functions.var_samp(score))
                    .collectAsList()) {
                stats[r.getInt(0)][(int) r.getDouble(1)] = new double[] {r.getLong(2), r.getDouble(3),
                    r.isNullAt(4) ? 0 : r.getDouble(4)};
            }
            List<Double> splits = new ArrayList<>();
            for (int s = 0; s <= current.length; s++) {
                double[] a1 = stats[s][1];
                double[] a0 = stats[s][0];
                if (a1 == null || a0 == null || a1[0] < 2 || a0[0] < 2) {
                    continue;
                }
                double se = Math.sqrt(a1[2] / a1[0] + a0[2] / a0[0]);
                if (se > 0 && Math.abs((a1[1] - a0[1]) / se) > 1.96) {
                    double from = s == 0 ? lo : current[s - 1];
                    double to = s == current.length ? hi : current[s];
                    splits.add((from + to) / 2);
                }
            }
            if (splits.isEmpty()) {
                break;
            }
            edges.addAll(splits);
            edges.sort(Double::compare);
        }
        return withEdges(df, scoreCol, treatCol, estimand, edges.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** @return the strata, lowest scores first */
    public List<Stratum> strata() {
        return strata;
    }

    /** @return the rows with their {@value #STRATUM_COL} column */
    public Dataset<Row> rows() {
        return rows;
    }

    /** @return rows in dropped strata (without treated or without controls), treated and controls */
    public long[] droppedRows() {
        long[] dropped = new long[2];
        for (Stratum s : strata) {
            if (!s.kept()) {
                dropped[0] += s.treated();
                dropped[1] += s.controls();
            }
        }
        return dropped;
    }

    /**
     * The stratified estimate of the estimand's effect: within-stratum differences in mean
     * outcome, averaged with the estimand's stratum sizes over the kept strata; the bootstrap
     * recomputes counts and means per replicate in the same single pass.
     *
     * @param outcomeCol the numeric outcome
     * @param replicates bootstrap replicates
     * @param seed bootstrap seed
     * @return the estimate
     */
    public Effects.Estimate effect(String outcomeCol, int replicates, long seed) {
        Column t = Columns.binary(rows, treatCol);
        List<String> warnings = EstimateChecks.check(rows, treatCol, t, null, outcomeCol);
        Column y = functions.col(outcomeCol).cast("double");
        Column c = functions.lit(1.0).minus(t);
        boolean[] kept = new boolean[strata.size()];
        for (Stratum s : strata) {
            kept[s.index()] = s.kept();
        }
        Estimand est = estimand;
        PoissonBootstrap.Statistic stratified = sums -> {
            double effect = 0;
            double size = 0;
            for (int s = 0; s < kept.length; s++) {
                double n1 = sums[4 * s + 1];
                double n0 = sums[4 * s + 3];
                // A replicate can empty an arm of a kept stratum: it sits that replicate out.
                if (!kept[s] || n1 <= 0 || n0 <= 0) {
                    continue;
                }
                double weight = switch (est) {
                    case ATT -> n1;
                    case ATC -> n0;
                    case ATE -> n1 + n0;
                };
                effect += weight * (sums[4 * s] / n1 - sums[4 * s + 2] / n0);
                size += weight;
            }
            return effect / size;
        };
        String method = "stratification" + (estimand == Estimand.ATE ? "" : " (" + estimand.name() + ")");
        // Per stratum: sum(t y), sum(t), sum((1-t) y), sum(1-t), each row adding only to its own stratum.
        Dataset<Row> terms = rows.select(functions.col(STRATUM_COL).cast("int"), t.multiply(y), t, c.multiply(y), c);
        return PoissonBootstrap.estimate(method, terms, strata.size(), stratified, replicates, seed)
                .withWarnings(warnings);
    }

    /**
     * The rows with the weights that stratification implies, so that balance can be checked with
     * {@link Balance}: for the ATT, treated 1 and controls (stratum treated / stratum controls);
     * for the ATC the mirror; for the ATE, stratum rows over the arm's stratum rows. Rows of dropped
     * strata weigh 0.
     *
     * @param weightCol the new column
     * @return the rows with the weights
     */
    public Dataset<Row> weighted(String weightCol) {
        Column t = Columns.binary(rows, treatCol);
        Column[] treatedWeights = new Column[strata.size()];
        Column[] controlWeights = new Column[strata.size()];
        for (Stratum s : strata) {
            double n1 = s.treated();
            double n0 = s.controls();
            double treatedWeight = !s.kept() ? 0 : switch (estimand) {
                case ATT -> 1.0;
                case ATC -> n0 / n1;
                case ATE -> (n1 + n0) / n1;
            };
            double controlWeight = !s.kept() ? 0 : switch (estimand) {
                case ATT -> n1 / n0;
                case ATC -> 1.0;
                case ATE -> (n1 + n0) / n0;
            };
            treatedWeights[s.index()] = functions.lit(treatedWeight);
            controlWeights[s.index()] = functions.lit(controlWeight);
        }
        // A lookup by stratum, not a chain of one condition per stratum: constant work per row.
        Column position = functions.col(STRATUM_COL).plus(1);
        return rows.withColumn(weightCol, functions.when(t.equalTo(1),
                functions.element_at(functions.array(treatedWeights), position))
                .otherwise(functions.element_at(functions.array(controlWeights), position)));
    }

    /**
     * Covariate balance after stratification: the stratification weights' balance table.
     *
     * @param covariates numeric covariates
     * @return the balance, before and after
     */
    public Balance balance(List<String> covariates) {
        return Balance.of(weighted("stratification_weight"), treatCol, covariates, "stratification_weight");
    }

    /**
     * Balance within each kept stratum: the standardized mean difference of every covariate among
     * the stratum's rows, in one aggregation over (stratum, arm).
     *
     * @param covariates numeric covariates
     * @return one row per kept stratum and covariate
     */
    public tech.tablesaw.api.Table withinStrata(List<String> covariates) {
        Column t = Columns.binary(rows, treatCol);
        List<Column> aggs = new ArrayList<>();
        for (String c : covariates) {
            Column x = Columns.numeric(rows, c);
            aggs.add(functions.avg(x));
            aggs.add(functions.var_samp(x));
        }
        double[][][] stats = new double[strata.size()][2][];
        for (Row r : rows.groupBy(functions.col(STRATUM_COL), t.as("t"))
                .agg(aggs.get(0), aggs.subList(1, aggs.size()).toArray(new Column[0])).collectAsList()) {
            double[] v = new double[2 * covariates.size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = r.isNullAt(2 + i) ? Double.NaN : r.getDouble(2 + i);
            }
            stats[r.getInt(0)][(int) r.getDouble(1)] = v;
        }
        tech.tablesaw.api.IntColumn stratum = tech.tablesaw.api.IntColumn.create("stratum");
        tech.tablesaw.api.StringColumn covariate = tech.tablesaw.api.StringColumn.create("covariate");
        tech.tablesaw.api.DoubleColumn treatedMean = tech.tablesaw.api.DoubleColumn.create("treated_mean");
        tech.tablesaw.api.DoubleColumn controlMean = tech.tablesaw.api.DoubleColumn.create("control_mean");
        tech.tablesaw.api.DoubleColumn smd = tech.tablesaw.api.DoubleColumn.create("smd");
        for (Stratum s : strata) {
            if (!s.kept()) {
                continue;
            }
            for (int j = 0; j < covariates.size(); j++) {
                double m1 = stats[s.index()][1][2 * j];
                double m0 = stats[s.index()][0][2 * j];
                double pooled = Math.sqrt((stats[s.index()][1][2 * j + 1] + stats[s.index()][0][2 * j + 1]) / 2);
                stratum.append(s.index() + 1);
                covariate.append(covariates.get(j));
                treatedMean.append(m1);
                controlMean.append(m0);
                smd.append(pooled > 0 ? (m1 - m0) / pooled : Double.NaN);
            }
        }
        return tech.tablesaw.api.Table.create("balance within strata", stratum, covariate, treatedMean, controlMean,
                smd);
    }

    /** @return one row per stratum: score range, treated, controls, and whether it was kept */
    @Override
    public Table table() {
        return Rows.of("strata", strata).count("stratum", s -> s.index() + 1).text("score from", s -> bound(s.lower()))
                .text("score to", s -> bound(s.upper())).count("treated", Stratum::treated)
                .count("controls", Stratum::controls).text("kept", s -> s.kept() ? "yes" : "no: dropped").table();
    }

    /** @return the strata, how many were dropped, and the estimand */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Stratification[%d strata, %d dropped, %s]", strata.size(),
                strata.stream().filter(s -> !s.kept()).count(), estimand);
    }

    private static String bound(double v) {
        return Double.isInfinite(v) ? (v < 0 ? "lowest" : "highest") : String.format(Locale.ROOT, "%.4f", v);
    }
}
