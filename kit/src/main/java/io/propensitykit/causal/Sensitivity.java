package io.propensitykit.causal;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;

import org.apache.commons.math3.distribution.BinomialDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;

import tech.tablesaw.api.Table;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.DoubleUnaryOperator;

/**
 * How strong would an unobserved confounder have to be to explain an effect away?
 *
 * <pre>{@code
 * Sensitivity.Rosenbaum r = Sensitivity.rosenbaum(pairDifferences, 0.05);  // matched pairs
 * EffectPlots.sensitivity(r).show();
 * double e = Sensitivity.eValue(3.9);                                     // 7.26
 * }</pre>
 *
 * <p>Rosenbaum bounds (Observational Studies, 2002, ch. 4): in matched pairs, a confounder that
 * multiplies the odds of treatment within a pair by up to Γ moves the chance that the treated
 * member has the higher outcome, under no effect, to at most Γ/(1+Γ). The upper bound of the
 * one-sided p-value of the sign test (exact binomial) and of Wilcoxon's signed-rank test (normal
 * approximation, average ranks for ties) grows with Γ; the Γ at which it crosses α is how much
 * hidden bias the finding survives. The E-value (VanderWeele and Ding, Annals of Internal Medicine,
 * 2017) is the minimum risk ratio a confounder would need with both treatment and outcome to move
 * an observed risk ratio to 1.
 */
public final class Sensitivity {

    private Sensitivity() {}

    /**
     * The E-value of a risk ratio: {@code RR + sqrt(RR (RR - 1))}, with RR below 1 inverted first.
     *
     * @param riskRatio a positive risk ratio
     * @return the E-value, 1 for a risk ratio of 1
     */
    public static double eValue(double riskRatio) {
        if (!(riskRatio > 0) || Double.isInfinite(riskRatio)) {
            throw new IllegalArgumentException("A risk ratio must be positive and finite, found " + riskRatio);
        }
        double rr = riskRatio < 1 ? 1 / riskRatio : riskRatio;
        return rr + Math.sqrt(rr * (rr - 1));
    }

    /**
     * The E-value of a confidence limit: that of the limit closer to 1, or 1 when the interval
     * contains 1 (no confounding is needed to reach the null).
     *
     * @param lower the interval's lower limit
     * @param upper the interval's upper limit
     * @return the E-value of the interval
     */
    public static double eValue(double lower, double upper) {
        if (!(lower > 0) || !(upper >= lower)) {
            throw new IllegalArgumentException("A risk-ratio interval needs 0 < lower <= upper, found [" + lower + ", "
                    + upper + "]");
        }
        if (lower <= 1 && upper >= 1) {
            return 1;
        }
        return eValue(lower > 1 ? lower : upper);
    }

    /**
     * The upper bounds of the one-sided p-values at one Γ.
     *
     * @param gamma the odds multiplier, at least 1
     * @param signTest the sign test's bound
     * @param wilcoxon the signed-rank test's bound
     */
    public record Bound(double gamma, double signTest, double wilcoxon) {

        /** @return Γ and both bounds, rounded */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Bound[Γ %.2f: sign p %.4f, signed-rank p %.4f]", gamma, signTest,
                    wilcoxon);
        }
    }

    /**
     * Rosenbaum bounds for a set of matched pairs.
     *
     * @param pairs non-tied pairs used
     * @param positive pairs in which the treated member's outcome is higher
     * @param alpha the significance level
     * @param signGamma the Γ at which the sign test's bound crosses α (1 if it never falls below it)
     * @param wilcoxonGamma the same for the signed-rank test
     * @param bounds the bounds on a grid of Γ, for tables and plots
     */
    public record Rosenbaum(int pairs, int positive, double alpha, double signGamma, double wilcoxonGamma,
            List<Bound> bounds) implements Tabular {

        /** @return the bounds on the grid of Γ: each test's upper bound on the p-value */
        @Override
        public Table table() {
            return Rows.of("rosenbaum", bounds).number("gamma", Bound::gamma, 2)
                    .number("sign test p (upper bound)", Bound::signTest, 4)
                    .number("signed-rank p (upper bound)", Bound::wilcoxon, 4).table();
        }

        /** @return the pairs and the Γ at which each test stops being significant, rounded */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Rosenbaum[%,d pairs, α %.2f: sign test to Γ %.2f, signed-rank to"
                    + " Γ %.2f]", pairs, alpha, signGamma, wilcoxonGamma);
        }
    }

    /**
     * Rosenbaum bounds for matched pairs' outcome differences (treated minus control). Ties (zero
     * differences) are dropped, as both tests do.
     *
     * @param differences one treated-minus-control difference per pair
     * @param alpha the significance level, such as 0.05
     * @return the Γ at which each test's p-value bound crosses α, and the bounds on a grid
     */
    public static Rosenbaum rosenbaum(double[] differences, double alpha) {
        long nan = Arrays.stream(differences).filter(v -> !Double.isFinite(v)).count();
        if (nan > 0) {
            throw new IllegalArgumentException(nan + " of " + differences.length + " pair differences are NaN or"
                    + " infinite: the signed ranks cannot order them. Drop the pairs with a missing outcome first.");
        }
        double[] d = Arrays.stream(differences).filter(v -> v != 0).toArray();
        if (d.length == 0) {
            throw new IllegalArgumentException("All " + differences.length
                    + " pair differences are 0: nothing to test");
        }
        int n = d.length;
        int positive = (int) Arrays.stream(d).filter(v -> v > 0).count();
        double[] ranks = ranks(Arrays.stream(d).map(Math::abs).toArray());
        double t = 0;
        double sumRanks = 0;
        double sumSquares = 0;
        for (int i = 0; i < n; i++) {
            t += d[i] > 0 ? ranks[i] : 0;
            sumRanks += ranks[i];
            sumSquares += ranks[i] * ranks[i];
        }
        double signedRank = t;
        double total = sumRanks;
        double squares = sumSquares;
        DoubleUnaryOperator sign = gamma -> signTest(n, positive, gamma);
        DoubleUnaryOperator wilcoxon = gamma -> wilcoxon(signedRank, total, squares, gamma);
        List<Bound> bounds = new ArrayList<>();
        for (double gamma = 1; gamma <= 6 + 1e-9; gamma += 0.25) {
            bounds.add(new Bound(gamma, sign.applyAsDouble(gamma), wilcoxon.applyAsDouble(gamma)));
        }
        return new Rosenbaum(n, positive, alpha, crossing(sign, alpha), crossing(wilcoxon, alpha), bounds);
    }

    /** P(Binomial(n, Γ/(1+Γ)) ≥ positive): the sign test's upper bound. */
    static double signTest(int n, int positive, double gamma) {
        double p = gamma / (1 + gamma);
        return positive == 0 ? 1 : 1 - new BinomialDistribution(null, n, p).cumulativeProbability(positive - 1);
    }

    /** The signed-rank statistic's upper-bound p-value, by its normal approximation under Γ. */
    static double wilcoxon(double statistic, double sumRanks, double sumSquares, double gamma) {
        double p = gamma / (1 + gamma);
        double mean = p * sumRanks;
        double sd = Math.sqrt(p * (1 - p) * sumSquares);
        return 1 - new NormalDistribution(null, 0, 1).cumulativeProbability((statistic - mean) / sd);
    }

    /** The smallest Γ ≥ 1 at which a bound increasing in Γ exceeds α, to 1e-6; 1 if it already does. */
    private static double crossing(DoubleUnaryOperator bound, double alpha) {
        if (bound.applyAsDouble(1) > alpha) {
            return 1;
        }
        double lo = 1;
        double hi = 2;
        while (bound.applyAsDouble(hi) <= alpha) {
            lo = hi;
            hi *= 2;
            if (hi > 1e6) {
                return Double.POSITIVE_INFINITY;
            }
        }
        while (hi - lo > 1e-6) {
            double mid = (lo + hi) / 2;
            if (bound.applyAsDouble(mid) <= alpha) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /** Ranks from 1, ties given their average rank. */
    static double[] ranks(double[] values) {
        Integer[] order = new Integer[values.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(values[a], values[b]));
        double[] ranks = new double[values.length];
        for (int i = 0; i < order.length;) {
            int j = i;
            while (j + 1 < order.length && values[order[j + 1]] == values[order[i]]) {
                j++;
            }
            double average = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                ranks[order[k]] = average;
            }
            i = j + 1;
        }
        return ranks;
    }
}
