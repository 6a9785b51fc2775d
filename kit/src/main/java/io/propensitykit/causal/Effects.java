package io.propensitykit.causal;

import io.propensitykit.display.Display;
import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Locale;

/**
 * Treatment effect estimates for a chosen {@link Estimand} (the ATE over everyone, the ATT over the
 * treated, the ATC over the controls) with seeded bootstrap intervals, each computed in one pass
 * over a DataFrame: the naive difference in means, inverse-propensity weighting (Hájek), augmented
 * IPW (doubly robust: consistent if either the propensity or the outcome model is right) and
 * regression adjustment.
 *
 * <pre>{@code
 * Effects effects = Effects.on(df).setTreatment("treated").setOutcome("earnings")
 *     .optEstimand(Estimand.ATT).optReplicates(200).optSeed(7);
 * Effects.Estimate naive = effects.naive();
 * Effects.Estimate att = effects.ipw("p_treated");
 * Effects.Estimate dr = effects.aipw("p_treated", "mu1", "mu0");
 * Effects.Estimate ra = effects.regression("mu1", "mu0");
 * }</pre>
 *
 * <p>The treatment and the outcome are required; the estimand (ATE), the bootstrap replicates
 * (200) and the seed (7) are optional.
 *
 * <p>Definitions, with {@code w} the estimand's weights ({@link Weights#of}) and {@code m1, m0} the
 * outcome predictions under treatment and control:
 * <ul>
 *   <li>IPW: {@code sum(t w y)/sum(t w) - sum((1-t) w y)/sum((1-t) w)};
 *   <li>AIPW, ATE: {@code mean(m1 - m0 + t (y - m1)/e - (1-t)(y - m0)/(1-e))}; ATT: the IPW formula
 *       applied to {@code y - m0}; ATC: applied to {@code y - m1};
 *   <li>regression adjustment: {@code m1 - m0} averaged over the estimand's rows (all, treated, controls).
 * </ul>
 *
 * <p>The bootstrap is Poisson: each row gets an independent Poisson(1) count per replicate, drawn
 * from a generator seeded by the seed and the partition, so all replicates come from the same
 * single pass. The same data, partitioning and seed give the same interval.
 */
public final class Effects {

    /** Replicates of the bootstrap when none are set. */
    public static final int DEFAULT_REPLICATES = 200;

    private final Dataset<?> df;
    private String treatCol;
    private String outcomeCol;
    private Estimand estimand = Estimand.ATE;
    private int replicates = DEFAULT_REPLICATES;
    private long seed = 7;

    private Effects(Dataset<?> df) {
        this.df = java.util.Objects.requireNonNull(df, "df");
    }

    /**
     * Starts the effect estimates on these rows.
     *
     * @param df the rows, with a 0/1 treatment and a numeric outcome
     * @return estimates to configure, then run with {@link #naive}, {@link #ipw}, {@link #aipw} or
     *     {@link #regression}
     */
    public static Effects on(Dataset<?> df) {
        return new Effects(df);
    }

    /**
     * The treatment column (required).
     *
     * @param col a 0/1 (or boolean) column
     * @return these estimates
     */
    public Effects setTreatment(String col) {
        this.treatCol = col;
        return this;
    }

    /**
     * The outcome column (required by all but {@link #regression}).
     *
     * @param col a numeric column
     * @return these estimates
     */
    public Effects setOutcome(String col) {
        this.outcomeCol = col;
        return this;
    }

    /**
     * The population the effect is averaged over: ATE (the default), ATT or ATC.
     *
     * @param e the estimand
     * @return these estimates
     */
    public Effects optEstimand(Estimand e) {
        this.estimand = java.util.Objects.requireNonNull(e, "estimand");
        return this;
    }

    /**
     * Bootstrap replicates for the interval ({@value #DEFAULT_REPLICATES} by default).
     *
     * @param n at least the kit's floor for a percentile interval
     * @return these estimates
     */
    public Effects optReplicates(int n) {
        PoissonBootstrap.requireReplicates(n);
        this.replicates = n;
        return this;
    }

    /**
     * The bootstrap's seed (7 by default).
     *
     * @param s the seed
     * @return these estimates
     */
    public Effects optSeed(long s) {
        this.seed = s;
        return this;
    }

    /** @return the treatment, the outcome and the bootstrap, as a notebook echoes it */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Effects[%s -> %s, %s, %d replicates, seed %d]", treatCol, outcomeCol,
                estimand, replicates, seed);
    }

    /**
     * The difference in mean outcome between the treated and the controls, whatever the estimand:
     * biased when treatment is confounded.
     *
     * @return the estimate
     */
    public Estimate naive() {
        return naive(df, treatment(), outcome(), replicates, seed);
    }

    /**
     * The Hájek IPW estimate: the weighted difference in mean outcome with the estimand's weights
     * (ATE: 1/e and 1/(1-e); ATT: treated 1, controls e/(1-e)).
     *
     * @param scoreCol the treatment propensity, in (0, 1)
     * @return the estimate
     */
    public Estimate ipw(String scoreCol) {
        return ipw(df, scoreCol, treatment(), outcome(), estimand, replicates, seed);
    }

    /**
     * The AIPW (doubly robust) estimate from the propensity and two outcome predictions.
     *
     * @param scoreCol the treatment propensity, in (0, 1)
     * @param mu1Col the predicted outcome under treatment
     * @param mu0Col the predicted outcome under control
     * @return the estimate
     */
    public Estimate aipw(String scoreCol, String mu1Col, String mu0Col) {
        return aipw(df, scoreCol, treatment(), outcome(), mu1Col, mu0Col, estimand, replicates, seed);
    }

    /**
     * The regression-adjustment estimate: {@code m1 - m0} averaged over the estimand's rows.
     *
     * @param mu1Col the predicted outcome under treatment
     * @param mu0Col the predicted outcome under control
     * @return the estimate
     */
    public Estimate regression(String mu1Col, String mu0Col) {
        return regression(df, treatment(), mu1Col, mu0Col, estimand, replicates, seed);
    }

    private String treatment() {
        return Settings.required(treatCol, "the treatment column", "setTreatment(\"treated\")");
    }

    private String outcome() {
        return Settings.required(outcomeCol, "the outcome column", "setOutcome(\"purchased\")");
    }

    /**
     * An estimate with its 95% percentile bootstrap interval.
     *
     * @param method naive, ipw or aipw
     * @param estimate the point estimate on all rows
     * @param lower the 2.5% bootstrap percentile
     * @param upper the 97.5% bootstrap percentile
     * @param replicates bootstrap replicates
     * @param seed the bootstrap seed
     * @param warnings where the estimate is fragile (few rows carry the weights), in words; empty when it is not
     */
    public record Estimate(String method, double estimate, double lower, double upper, int replicates, long seed,
            List<String> warnings) implements Tabular {

        /** Copies the warnings, so the record stays immutable. */
        public Estimate {
            warnings = List.copyOf(warnings);
        }

        /**
         * An estimate without warnings.
         *
         * @param method naive, ipw or aipw
         * @param estimate the point estimate on all rows
         * @param lower the 2.5% bootstrap percentile
         * @param upper the 97.5% bootstrap percentile
         * @param replicates bootstrap replicates
         * @param seed the bootstrap seed
         */
        public Estimate(String method, double estimate, double lower, double upper, int replicates, long seed) {
            this(method, estimate, lower, upper, replicates, seed, List.of());
        }

        Estimate withWarnings(List<String> more) {
            List<String> all = new java.util.ArrayList<>(warnings);
            all.addAll(more);
            return new Estimate(method, estimate, lower, upper, replicates, seed, all);
        }

        /** @return the estimate as one row of {@link Effects#table} */
        @Override
        public Table table() {
            return Effects.table(this);
        }

        /** @return the method, the estimate and its interval, rounded, and any warning */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Estimate[%s %.4f, 95%% CI %.4f to %.4f%s]", method, estimate, lower,
                    upper, warnings.isEmpty() ? "" : "; fragile: " + String.join("; ", warnings));
        }

        /** @return whether the interval contains {@code value} */
        public boolean covers(double value) {
            return lower <= value && value <= upper;
        }
    }

    /**
     * The difference in mean outcome between the treated and the controls: biased when treatment is confounded.
     *
     * @param df the rows
     * @param treatCol 0/1 treatment
     * @param outcomeCol numeric outcome
     * @param replicates bootstrap replicates
     * @param seed bootstrap seed
     * @return the estimate
     */
    static Estimate naive(Dataset<?> df, String treatCol, String outcomeCol, int replicates, long seed) {
        Column t = Columns.binary(df, treatCol);
        List<String> warnings = EstimateChecks.check(df, treatCol, t, null, outcomeCol);
        Column y = functions.col(outcomeCol).cast("double");
        Column one = functions.lit(1.0);
        return PoissonBootstrap.estimate("naive", df.select(t.multiply(y), t, one.minus(t).multiply(y), one.minus(t)),
                Effects::ratioDifference, replicates, seed).withWarnings(warnings);
    }

    /**
     * The Hájek IPW estimate of the estimand's effect: the weighted difference in mean outcome,
     * with the estimand's weights (ATT: treated 1, controls e/(1-e)).
     *
     * @param df the rows
     * @param scoreCol treatment propensity in (0, 1)
     * @param treatCol 0/1 treatment
     * @param outcomeCol numeric outcome
     * @param estimand ATE, ATT or ATC
     * @param replicates bootstrap replicates
     * @param seed bootstrap seed
     * @return the estimate
     */
    static Estimate ipw(Dataset<?> df, String scoreCol, String treatCol, String outcomeCol, Estimand estimand,
            int replicates, long seed) {
        Column t = Columns.binary(df, treatCol);
        Column w = Weights.of(propensity(df, scoreCol), t, estimand);
        List<String> warnings = EstimateChecks.check(df, treatCol, t, w, outcomeCol);
        return weightedDifference(name("ipw", estimand), df, t, w, functions.col(outcomeCol).cast("double"),
                replicates, seed).withWarnings(warnings);
    }

    /** {@code sum(t w v)/sum(t w) - sum((1-t) w v)/sum((1-t) w)}, with its bootstrap. */
    private static Estimate weightedDifference(String method, Dataset<?> df, Column t, Column w, Column v,
            int replicates, long seed) {
        Column one = functions.lit(1.0);
        Column w1 = t.multiply(w);
        Column w0 = one.minus(t).multiply(w);
        return PoissonBootstrap.estimate(method, df.select(w1.multiply(v), w1, w0.multiply(v), w0),
                Effects::ratioDifference, replicates, seed);
    }

    private static String name(String method, Estimand estimand) {
        return estimand == Estimand.ATE ? method : method + " (" + estimand.name() + ")";
    }

    /**
     * The AIPW (doubly robust) estimate of the estimand's effect. For the ATT it weights the
     * residuals {@code y - m0} as IPW weights outcomes (treated 1, controls e/(1-e)); for the ATC,
     * the residuals {@code y - m1} (treated (1-e)/e, controls 1).
     *
     * @param df the rows
     * @param scoreCol treatment propensity in (0, 1)
     * @param treatCol 0/1 treatment
     * @param outcomeCol numeric outcome
     * @param mu1Col predicted outcome under treatment
     * @param mu0Col predicted outcome under control
     * @param estimand ATE, ATT or ATC
     * @param replicates bootstrap replicates
     * @param seed bootstrap seed
     * @return the estimate
     */
    static Estimate aipw(Dataset<?> df, String scoreCol, String treatCol, String outcomeCol, String mu1Col,
            String mu0Col, Estimand estimand, int replicates, long seed) {
        Column t = Columns.binary(df, treatCol);
        Column e = propensity(df, scoreCol);
        Column w = Weights.of(e, t, estimand);
        List<String> warnings = EstimateChecks.check(df, treatCol, t, w, outcomeCol, mu1Col, mu0Col);
        if (estimand != Estimand.ATE) {
            Column y = functions.col(outcomeCol).cast("double");
            Column residual = y.minus(functions.col(estimand == Estimand.ATT ? mu0Col : mu1Col).cast("double"));
            return weightedDifference(name("aipw", estimand), df, t, w, residual, replicates, seed)
                    .withWarnings(warnings);
        }
        Column y = functions.col(outcomeCol).cast("double");
        Column m1 = functions.col(mu1Col).cast("double");
        Column m0 = functions.col(mu0Col).cast("double");
        Column one = functions.lit(1.0);
        Column psi = m1.minus(m0).plus(t.multiply(y.minus(m1)).divide(e))
                .minus(one.minus(t).multiply(y.minus(m0)).divide(one.minus(e)));
        return PoissonBootstrap.estimate("aipw", df.select(psi, one), s -> s[0] / s[1], replicates, seed)
                .withWarnings(warnings);
    }

    /**
     * The regression-adjustment estimate: the predicted effect {@code m1 - m0} averaged over the
     * estimand's rows (everyone, the treated or the controls).
     *
     * @param df the rows
     * @param treatCol 0/1 treatment
     * @param mu1Col predicted outcome under treatment
     * @param mu0Col predicted outcome under control
     * @param estimand ATE, ATT or ATC
     * @param replicates bootstrap replicates
     * @param seed bootstrap seed
     * @return the estimate
     */
    static Estimate regression(Dataset<?> df, String treatCol, String mu1Col, String mu0Col,
            Estimand estimand, int replicates, long seed) {
        Column t = Columns.binary(df, treatCol);
        List<String> warnings = EstimateChecks.check(df, treatCol, t, null, mu1Col, mu0Col);
        Column rows = switch (estimand) {
            case ATE -> functions.lit(1.0);
            case ATT -> t;
            case ATC -> functions.lit(1.0).minus(t);
        };
        Column effect = functions.col(mu1Col).cast("double").minus(functions.col(mu0Col).cast("double"));
        return PoissonBootstrap.estimate(name("regression", estimand), df.select(rows.multiply(effect), rows),
                sums -> sums[0] / sums[1], replicates, seed).withWarnings(warnings);
    }

    /**
     * Lays estimates side by side, four decimals: show it in a note with {@code Display.show(...)}.
     *
     * @param estimates the estimates
     * @return one row per estimate: method, estimate, the 95% interval and the replicates, and where
     *     any estimate is fragile, a column that says why
     */
    public static Table table(Estimate... estimates) {
        Rows<Estimate> rows = Rows.of("effects", List.of(estimates)).text("method", Estimate::method)
                .number("estimate", Estimate::estimate, 4).number("95% CI lower", Estimate::lower, 4)
                .number("95% CI upper", Estimate::upper, 4).count("replicates", Estimate::replicates);
        // A warning column only where an estimate is fragile, so that a sound table stays as it was.
        if (java.util.Arrays.stream(estimates).anyMatch(e -> !e.warnings().isEmpty())) {
            rows.text("fragile", e -> String.join("; ", e.warnings()));
        }
        return rows.table();
    }

    private static Column propensity(Dataset<?> df, String scoreCol) {
        Column e = functions.col(scoreCol).cast("double");
        long bad = df.where(e.leq(0).or(e.geq(1)).or(e.isNull())).count();
        if (bad > 0) {
            throw new IllegalArgumentException(bad + " rows have '" + scoreCol + "' outside (0, 1); trim them first"
                    + " (Overlap.trim).");
        }
        return e;
    }

    private static double ratioDifference(double[] s) {
        return s[0] / s[1] - s[2] / s[3];
    }
}
