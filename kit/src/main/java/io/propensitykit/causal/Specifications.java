package io.propensitykit.causal;

import io.propensitykit.display.Display;
import io.propensitykit.metrics.BinaryMetrics;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

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
 * List<Specifications.Result> ranked = Specifications.compare(scored, "treat", covariates, Estimand.ATT,
 *     Map.of("main effects", "p_main", "Dehejia-Wahba", "p_dw"));
 * println(Specifications.toZeppelinTable(ranked));
 * }</pre>
 */
public final class Specifications {

    private Specifications() {}

    /**
     * One candidate's balance.
     *
     * @param name the candidate
     * @param maxAbsSmd the largest |standardized mean difference| after weighting
     * @param worstVarianceRatio the weighted variance ratio farthest from 1 (on the log scale)
     * @param ess the weighted arms' effective sample sizes
     * @param auc how well the score separates the arms (shown, not used to rank)
     */
    public record Result(String name, double maxAbsSmd, double worstVarianceRatio, Weights.Ess ess, double auc) {}

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
    public static List<Result> compare(Dataset<?> scored, String treatCol, List<String> covariates,
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
     * The comparison as Zeppelin {@code %table} text, best balanced first.
     *
     * @param results from {@link #compare}
     * @return the table text
     */
    public static String toZeppelinTable(List<Result> results) {
        return Display.table(List.of("specification", "max |SMD|", "worst variance ratio", "ESS treated",
                "ESS control", "AUC (not used)"), results.stream().map(r -> List.<Object>of(r.name(),
                        fixed(r.maxAbsSmd()), fixed(r.worstVarianceRatio()), fixed(r.ess().treated()),
                        fixed(r.ess().control()), fixed(r.auc()))).toList());
    }

    private static String fixed(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
