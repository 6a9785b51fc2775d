package io.propensitykit.causal;

import org.apache.spark.sql.Dataset;

import java.util.Objects;

/**
 * How to stratify on the score: the score and the treatment are required; the estimand (ATE), the
 * number of strata (5) and the rule (quantiles of the estimand's rows, Dehejia and Wahba's balanced
 * splitting, or given edges) are optional.
 *
 * <pre>{@code
 * Stratification s = Stratification.on(support).setScore("p").setTreatment("treat")
 *     .optEstimand(Estimand.ATT).optBalanced().compute();
 * }</pre>
 */
public final class Stratifier {

    /** Strata when none are set. */
    public static final int DEFAULT_STRATA = 5;

    private final Dataset<?> df;
    private String scoreCol;
    private String treatCol;
    private Estimand estimand = Estimand.ATE;
    private int strata = DEFAULT_STRATA;
    private boolean balanced;
    private double[] edges;

    Stratifier(Dataset<?> df) {
        this.df = Objects.requireNonNull(df, "df");
    }

    /**
     * The treatment propensity (required; any monotone score works for quantile strata).
     *
     * @param col the score column
     * @return this stratification
     */
    public Stratifier setScore(String col) {
        this.scoreCol = col;
        return this;
    }

    /**
     * The treatment column (required).
     *
     * @param col a 0/1 or boolean column
     * @return this stratification
     */
    public Stratifier setTreatment(String col) {
        this.treatCol = col;
        return this;
    }

    /**
     * Which rows set the quantiles and weigh the strata: ATE (the default), ATT or ATC.
     *
     * @param e the estimand
     * @return this stratification
     */
    public Stratifier optEstimand(Estimand e) {
        this.estimand = Objects.requireNonNull(e, "estimand");
        return this;
    }

    /**
     * The number of strata ({@value #DEFAULT_STRATA} by default); with {@link #optBalanced()}, the
     * number to start splitting from.
     *
     * @param count at least 2
     * @return this stratification
     */
    public Stratifier optStrata(int count) {
        if (count < 2) {
            throw new IllegalArgumentException("Stratification needs at least 2 strata, found " + count);
        }
        this.strata = count;
        return this;
    }

    /**
     * Dehejia and Wahba's rule instead of quantiles: equal-width strata on the probability scale,
     * halved wherever the arms' mean scores still differ (Welch's |t| above 1.96).
     *
     * @return this stratification
     */
    public Stratifier optBalanced() {
        this.balanced = true;
        return this;
    }

    /**
     * Strata at these interior score edges instead of quantiles; a score on an edge goes to the
     * lower stratum.
     *
     * @param ascending ascending edges; {@code edges.length + 1} strata
     * @return this stratification
     */
    public Stratifier optEdges(double... ascending) {
        this.edges = ascending.clone();
        return this;
    }

    /**
     * Assigns every row its stratum and counts the arms per stratum, in Spark.
     *
     * @return the strata
     */
    public Stratification compute() {
        String score = Settings.required(scoreCol, "the score column", "setScore(\"ps\")");
        String treat = Settings.required(treatCol, "the treatment column", "setTreatment(\"treated\")");
        if (balanced && edges != null) {
            throw new IllegalStateException("optBalanced() finds its own edges; drop it or optEdges(...).");
        }
        if (edges != null) {
            return Stratification.withEdges(df, score, treat, estimand, edges);
        }
        return balanced ? Stratification.balanced(df, score, treat, estimand, strata)
                : Stratification.of(df, score, treat, estimand, strata);
    }
}
