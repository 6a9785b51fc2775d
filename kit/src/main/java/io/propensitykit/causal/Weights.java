package io.propensitykit.causal;

import io.propensitykit.internal.Columns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Inverse-propensity weights as Spark columns, and the effective sample size they leave.
 *
 * <pre>{@code
 * Dataset<Row> w = Weights.on(customers).setScore("p_treated").setTreatment("treated")
 *     .optEstimand(Estimand.ATE).optStabilized().optOutputCol("w").add();
 * Weights.Ess ess = Weights.effectiveSampleSize(w, "w", "treated");
 * }</pre>
 *
 * <p>Stabilized ATE weights multiply by the arm's share ({@code P(T=1)} for the treated,
 * {@code P(T=0)} for controls), which keeps their mean near 1. Hájek normalization rescales each
 * arm's weights to sum to the arm's size; the Hájek IPW estimate is unchanged by it.
 */
public final class Weights {

    /** The weight column's name when none is set. */
    public static final String DEFAULT_OUTPUT_COL = "weight";

    private final Dataset<?> df;
    private String scoreCol;
    private String treatCol;
    private Estimand estimand = Estimand.ATE;
    private boolean stabilized;
    private String outputCol = DEFAULT_OUTPUT_COL;

    private Weights(Dataset<?> df) {
        this.df = java.util.Objects.requireNonNull(df, "df");
    }

    /**
     * Starts weighting these rows: name the score and the treatment, then {@link #add()}.
     *
     * @param df the rows
     * @return the weighting to configure
     */
    public static Weights on(Dataset<?> df) {
        return new Weights(df);
    }

    /**
     * The treatment propensity column (required), every value strictly inside (0, 1).
     *
     * @param col the score column
     * @return this weighting
     */
    public Weights setScore(String col) {
        this.scoreCol = col;
        return this;
    }

    /**
     * The treatment column (required).
     *
     * @param col a 0/1 or boolean column
     * @return this weighting
     */
    public Weights setTreatment(String col) {
        this.treatCol = col;
        return this;
    }

    /**
     * Whose effect the weights target: ATE (the default), ATT or ATC.
     *
     * @param e the estimand
     * @return this weighting
     */
    public Weights optEstimand(Estimand e) {
        this.estimand = java.util.Objects.requireNonNull(e, "estimand");
        return this;
    }

    /**
     * Stabilizes ATE weights: multiplies each by its arm's share, which keeps their mean near 1.
     *
     * @return this weighting
     */
    public Weights optStabilized() {
        this.stabilized = true;
        return this;
    }

    /**
     * The new column's name ({@value #DEFAULT_OUTPUT_COL} by default).
     *
     * @param col a name the rows do not hold yet
     * @return this weighting
     */
    public Weights optOutputCol(String col) {
        this.outputCol = java.util.Objects.requireNonNull(col, "outputCol");
        return this;
    }

    /**
     * Adds the weight column, checking that every propensity lies strictly inside (0, 1).
     *
     * @return the rows with the weight column
     */
    public Dataset<Row> add() {
        return add(df, Settings.required(scoreCol, "the score column", "setScore(\"ps\")"),
                Settings.required(treatCol, "the treatment column", "setTreatment(\"treated\")"), estimand, stabilized,
                outputCol);
    }

    /**
     * The weight expression.
     *
     * @param e the treatment propensity column
     * @param t the 0/1 treatment column (as double)
     * @param estimand whose effect the weights target
     * @return the weight column
     */
    public static Column of(Column e, Column t, Estimand estimand) {
        Column one = functions.lit(1.0);
        return switch (estimand) {
            case ATE -> t.divide(e).plus(one.minus(t).divide(one.minus(e)));
            case ATT -> t.plus(one.minus(t).multiply(e).divide(one.minus(e)));
            case ATC -> t.multiply(one.minus(e)).divide(e).plus(one.minus(t));
        };
    }

    /**
     * Adds a weight column, checking that every propensity lies strictly inside (0, 1).
     *
     * @param df the rows
     * @param scoreCol the treatment propensity
     * @param treatCol the 0/1 or boolean treatment
     * @param estimand ATE, ATT or ATC
     * @param stabilized multiply ATE weights by the arm's share
     * @param weightCol the new column's name
     * @return the rows with the weight column
     */
    static Dataset<Row> add(Dataset<?> df, String scoreCol, String treatCol, Estimand estimand,
            boolean stabilized, String weightCol) {
        Column t = Columns.binary(df, treatCol);
        Column e = functions.col(scoreCol).cast("double");
        long bad = df.where(e.leq(0).or(e.geq(1)).or(e.isNull())).count();
        if (bad > 0) {
            throw new IllegalArgumentException(bad + " rows have '" + scoreCol + "' outside (0, 1), where weights are"
                    + " infinite. Trim them first: Overlap.trim(df, \"" + scoreCol + "\", 0.01, 0.99).");
        }
        Column w = of(e, t, estimand);
        if (stabilized) {
            if (estimand != Estimand.ATE) {
                throw new IllegalArgumentException("Stabilized weights are defined here for the ATE; ATT and ATC"
                        + " weights are already bounded on the treated or control side.");
            }
            double share = df.select(t.as("t")).agg(functions.avg("t")).first().getDouble(0);
            w = w.multiply(functions.when(t.equalTo(1), share).otherwise(1 - share));
        }
        return df.toDF().withColumn(weightCol, w);
    }

    /**
     * Rescales weights so that each arm's weights sum to its size (Hájek normalization).
     *
     * @param df rows with a weight column
     * @param weightCol the weights
     * @param treatCol the 0/1 treatment
     * @param normalizedCol the new column's name
     * @return the rows with the normalized weights
     */
    public static Dataset<Row> normalize(Dataset<?> df, String weightCol, String treatCol, String normalizedCol) {
        Column t = Columns.binary(df, treatCol);
        double[] scale = new double[2];
        for (Row r : df.select(t.as("t"), functions.col(weightCol).as("w")).groupBy("t")
                .agg(functions.count(functions.lit(1)), functions.sum("w")).collectAsList()) {
            scale[(int) r.getDouble(0)] = r.getLong(1) / r.getDouble(2);
        }
        return df.toDF().withColumn(normalizedCol, functions.col(weightCol)
                .multiply(functions.when(t.equalTo(1), scale[1]).otherwise(scale[0])));
    }

    /**
     * Kish's effective sample size per arm, {@code (sum w)^2 / sum w^2}: how many unweighted rows
     * the weighted arm is worth.
     *
     * @param treated the treated arm's ESS
     * @param control the control arm's ESS
     * @param treatedN the treated arm's row count
     * @param controlN the control arm's row count
     */
    public record Ess(double treated, double control, long treatedN, long controlN) {

        /** @return each arm's effective size of its rows, rounded */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Ess[treated %,.0f of %,d, controls %,.0f of %,d]", treated,
                    treatedN, control, controlN);
        }
    }

    /**
     * Computes the effective sample size of each arm inside Spark.
     *
     * @param df rows with a weight column
     * @param weightCol the weights
     * @param treatCol the 0/1 treatment
     * @return the ESS per arm
     */
    public static Ess effectiveSampleSize(Dataset<?> df, String weightCol, String treatCol) {
        Column t = Columns.binary(df, treatCol);
        double[] ess = new double[2];
        long[] n = new long[2];
        for (Row r : df.select(t.as("t"), functions.col(weightCol).cast("double").as("w")).groupBy("t")
                .agg(functions.sum("w"), functions.sum(functions.col("w").multiply(functions.col("w"))),
                        functions.count(functions.lit(1))).collectAsList()) {
            int a = (int) r.getDouble(0);
            ess[a] = r.getDouble(1) * r.getDouble(1) / r.getDouble(2);
            n[a] = r.getLong(3);
        }
        return new Ess(ess[1], ess[0], n[1], n[0]);
    }
}
