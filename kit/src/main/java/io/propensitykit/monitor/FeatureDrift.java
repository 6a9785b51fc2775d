package io.propensitykit.monitor;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;

import tech.tablesaw.api.Table;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How one column moved between a baseline and a current DataFrame.
 *
 * @param feature the column
 * @param kind score, numeric or categorical
 * @param psi population stability index over {@link #bins}, nulls as a bin of their own
 * @param status where the PSI stands against the report's thresholds
 * @param ks the two-sample Kolmogorov-Smirnov statistic on the fine bins' CDFs (numbers only)
 * @param bins the PSI's bins: baseline quantile ranges, or levels with {@code (other)},
 *     {@code (unseen)} and {@code (null)}
 * @param baselineShares each bin's share of the baseline's rows
 * @param currentShares each bin's share of the current rows
 * @param baseline the baseline's rows, nulls and numbers
 * @param current the current rows, nulls and numbers
 * @param unseenLevels current levels the baseline never had (categorical only, else 0)
 * @param fine the fine bins behind the KS statistic and the overlaid plot (numbers only)
 */
public record FeatureDrift(String feature, Kind kind, double psi, Status status, OptionalDouble ks, List<String> bins,
        double[] baselineShares, double[] currentShares, Side baseline, Side current, long unseenLevels,
        Optional<Fine> fine) implements Tabular {

    /** @return one row per PSI bin: its label and its share on each side */
    @Override
    public Table table() {
        return Rows.of(feature, java.util.stream.IntStream.range(0, bins.size()).boxed().toList())
                .text("bin", bins::get).number("baseline share", b -> baselineShares[b], 4)
                .number("current share", b -> currentShares[b], 4).table();
    }

    /** What a column is to the drift check. */
    public enum Kind {
        /** The model's score. */
        SCORE,
        /** A numeric feature. */
        NUMERIC,
        /** A categorical feature, compared level by level. */
        CATEGORICAL
    }

    /** A PSI against the watch and act thresholds. */
    public enum Status {
        /** Below the watch threshold. */
        STABLE,
        /** At or above the watch threshold, below the act threshold. */
        WATCH,
        /** At or above the act threshold. */
        ACT
    }

    /**
     * One side of the comparison.
     *
     * @param rows rows in all
     * @param nulls rows where the column is null (or NaN)
     * @param numbers mean, spread and quantiles of the non-null values (numbers only)
     */
    public record Side(long rows, long nulls, Optional<Numbers> numbers) {

        /** @return the rows, nulls and, for numbers, the median */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Side[%,d rows, %,d null%s]", rows, nulls,
                    numbers.map(n -> String.format(java.util.Locale.ROOT, ", median %.4g", n.median())).orElse(""));
        }

        /** @return the share of rows that are null */
        public double nullShare() {
            return rows == 0 ? 0 : (double) nulls / rows;
        }
    }

    /**
     * A numeric column's summary on one side. The quantiles are read off the fine bins, between the
     * smallest and largest value in the bin, so they are within one fine bin of the exact ones.
     *
     * @param mean the mean
     * @param std the population standard deviation
     * @param p10 the 10th percentile
     * @param median the median
     * @param p90 the 90th percentile
     */
    public record Numbers(double mean, double std, double p10, double median, double p90) {

        /** @return mean, spread and median, rounded */
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "Numbers[mean %.4g, sd %.4g, median %.4g]", mean, std, median);
        }
    }

    /**
     * The fine bins of a numeric column: {@code edges.length + 1} bins, bin {@code i} holding the values
     * in {@code (edges[i-1], edges[i]]}, the first and last open-ended.
     *
     * @param edges the baseline's quantiles at the fine and the PSI probabilities, distinct
     * @param baselineShares each bin's share of the baseline's non-null values
     * @param currentShares each bin's share of the current non-null values
     */
    public record Fine(double[] edges, double[] baselineShares, double[] currentShares) {

        /** @return the number of fine bins */
        @Override
        public String toString() {
            return "Fine[" + (edges.length + 1) + " bins]";
        }
    }

    /** @return the column, its kind and PSI, as a notebook shows a value */
    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "FeatureDrift[%s, %s, PSI %.4f (%s)]", feature,
                kind.name().toLowerCase(java.util.Locale.ROOT), psi, status.name().toLowerCase(java.util.Locale.ROOT));
    }

    /** @return the current mean minus the baseline's, in baseline standard deviations (numbers only) */
    public OptionalDouble standardizedMeanShift() {
        if (baseline.numbers().isEmpty() || current.numbers().isEmpty()) {
            return OptionalDouble.empty();
        }
        Numbers b = baseline.numbers().get();
        Numbers c = current.numbers().get();
        return b.std() > 0 ? OptionalDouble.of((c.mean() - b.mean()) / b.std()) : OptionalDouble.empty();
    }
}
