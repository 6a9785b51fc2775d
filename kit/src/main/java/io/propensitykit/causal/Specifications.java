package io.propensitykit.causal;

import io.propensitykit.display.Display;
import io.propensitykit.display.Rows;
import io.propensitykit.metrics.BinaryMetrics;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Candidate propensity specifications side by side, judged by the balance their weights leave
 * (the largest |SMD| over the covariates, and the variance ratio farthest from 1), not by how well
 * they predict treatment: a score can separate the arms perfectly and balance nothing.
 *
 * <pre>{@code
 * // one score column per candidate, each from its own trained and scored model
 * List<Specifications.Result> ranked = Specifications.on(scored).setTreatment("treat").setCovariates(covariates)
 *     .optEstimand(Estimand.ATT).compare(Map.of("main effects", "p_main", "Dehejia-Wahba", "p_dw"));
 * Display.show(Specifications.table(ranked));
 * }</pre>
 */
public final class Specifications {

    private final Dataset<?> scored;
    private String treatCol;
    private List<String> covariates;
    private Estimand estimand = Estimand.ATE;

    private Specifications(Dataset<?> scored) {
        this.scored = java.util.Objects.requireNonNull(scored, "scored");
    }

    /**
     * Starts a comparison on rows that carry one score column per candidate.
     *
     * @param scored the rows
     * @return the comparison to configure, then run with {@link #compare(Map)}
     */
    public static Specifications on(Dataset<?> scored) {
        return new Specifications(scored);
    }

    /**
     * The treatment column (required).
     *
     * @param col a 0/1 or boolean column
     * @return this comparison
     */
    public Specifications setTreatment(String col) {
        this.treatCol = col;
        return this;
    }

    /**
     * The numeric covariates whose balance judges the candidates (required).
     *
     * @param cols the covariates
     * @return this comparison
     */
    public Specifications setCovariates(List<String> cols) {
        this.covariates = List.copyOf(cols);
        return this;
    }

    /**
     * Whose weights: ATE (the default), ATT or ATC.
     *
     * @param e the estimand
     * @return this comparison
     */
    public Specifications optEstimand(Estimand e) {
        this.estimand = java.util.Objects.requireNonNull(e, "estimand");
        return this;
    }

    /**
     * Weighs the rows by each candidate's score and measures the balance left.
     *
     * @param scoreCols candidate name to its score column, each in (0, 1)
     * @return the candidates, best balanced first
     */
    public List<Result> compare(Map<String, String> scoreCols) {
        if (covariates == null) {
            throw new IllegalStateException("Name the covariates to balance first, for example"
                    + " setCovariates(List.of(\"age\", \"educ\")).");
        }
        return compare(scored, Settings.required(treatCol, "the treatment column", "setTreatment(\"treated\")"),
                covariates, estimand, scoreCols);
    }

    /**
     * One candidate's balance.
     *
     * @param name the candidate
     * @param maxAbsSmd the largest |standardized mean difference| after weighting
     * @param worstVarianceRatio the weighted variance ratio farthest from 1 (on the log scale)
     * @param ess the weighted arms' effective sample sizes
     * @param auc how well the score separates the arms (shown, not used to rank)
     */
    public record Result(String name, double maxAbsSmd, double worstVarianceRatio, Weights.Ess ess, double auc) {

        /** @return the candidate and the balance it leaves, rounded */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Result[%s: max |SMD| %.3f, worst variance ratio %.3f]", name,
                    maxAbsSmd, worstVarianceRatio);
        }
    }

    /**
     * Weighs the rows by each candidate's score for the estimand and measures the balance left.
     *
     * @param scored the rows, with one score column per candidate, each in (0, 1)
     * @param treatCol the 0/1 treatment
     * @param covariates the numeric covariates to balance
     * @param estimand whose weights
     * @param scoreCols candidate name to its score column
     * @return the candidates, best balanced first
     */
    static List<Result> compare(Dataset<?> scored, String treatCol, List<String> covariates,
            Estimand estimand, Map<String, String> scoreCols) {
        List<Result> results = new ArrayList<>();
        for (Map.Entry<String, String> candidate : scoreCols.entrySet()) {
            Dataset<Row> weighted = Weights.add(scored, candidate.getValue(), treatCol, estimand, false,
                    "specification_weight");
            Balance balance = Balance.of(weighted, treatCol, covariates, "specification_weight");
            double maxSmd = 0;
            double worst = 1;
            for (Balance.Row r : balance.rows()) {
                maxSmd = Math.max(maxSmd, Math.abs(r.smdAfter()));
                if (Math.abs(Math.log(r.varianceRatioAfter())) > Math.abs(Math.log(worst))) {
                    worst = r.varianceRatioAfter();
                }
            }
            results.add(new Result(candidate.getKey(), maxSmd, worst,
                    Weights.effectiveSampleSize(weighted, "specification_weight", treatCol),
                    BinaryMetrics.of(scored, candidate.getValue(), treatCol).rocAuc()));
        }
        results.sort(Comparator.comparingDouble(Result::maxAbsSmd));
        return results;
    }

    /**
     * The comparison as a table, best balanced first: show it in a note with {@code Display.show(...)}.
     *
     * @param results from {@link #compare}
     * @return one row per candidate
     */
    public static Table table(List<Result> results) {
        return Rows.of("specifications", results).text("specification", Result::name)
                .number("max |SMD|", Result::maxAbsSmd, 3).number("worst variance ratio", Result::worstVarianceRatio, 3)
                .number("ESS treated", r -> r.ess().treated(), 3).number("ESS control", r -> r.ess().control(), 3)
                .number("AUC (not used)", Result::auc, 3).table();
    }

}
