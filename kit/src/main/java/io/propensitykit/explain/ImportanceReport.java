package io.propensitykit.explain;

import io.propensitykit.display.Formats;
import io.propensitykit.display.Tabular;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every feature's importance, ranked by mean AUC drop, largest first: what {@link Importance}
 * computes.
 *
 * @param auc the ROC AUC without permutation
 * @param logLoss the log loss without permutation
 * @param repeats permutations per feature
 * @param features one entry per feature
 */
public record ImportanceReport(double auc, double logLoss, int repeats, List<Feature> features) implements Tabular {

    /**
     * One feature's importance.
     *
     * @param feature the permuted column
     * @param aucDrops ROC AUC without permutation minus with it, per repeat
     * @param logLossRises log loss with permutation minus without it, per repeat
     */
    public record Feature(String feature, double[] aucDrops, double[] logLossRises) {

        /** @return the mean AUC drop over repeats */
        public double aucDrop() {
            return Arrays.stream(aucDrops).average().orElseThrow();
        }

        /** @return the mean log-loss rise over repeats */
        public double logLossRise() {
            return Arrays.stream(logLossRises).average().orElseThrow();
        }

        /** @return the AUC drops' sample standard deviation over repeats (0 for one repeat) */
        public double aucDropSd() {
            return sd(aucDrops);
        }

        /** @return the log-loss rises' sample standard deviation over repeats (0 for one repeat) */
        public double logLossRiseSd() {
            return sd(logLossRises);
        }

        /** @return the feature and its mean AUC drop with the spread, as a notebook shows a value */
        @Override
        public String toString() {
            return String.format(Locale.ROOT, "Feature[%s, AUC drop %.4f, sd %.4f]", feature, aucDrop(), aucDropSd());
        }

        private static double sd(double[] values) {
            if (values.length < 2) {
                return 0;
            }
            double mean = Arrays.stream(values).average().orElseThrow();
            return Math.sqrt(Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1));
        }
    }

    /** Keeps the features as given. */
    public ImportanceReport {
        features = List.copyOf(features);
    }

    /**
     * @param name a permuted column
     * @return its importance
     */
    public Feature feature(String name) {
        return features.stream().filter(f -> f.feature().equals(name)).findFirst().orElseThrow(
                () -> new IllegalArgumentException("No feature '" + name + "'; the report has "
                        + features.stream().map(Feature::feature).toList()));
    }

    /** @return the metrics, the repeats and the most important feature, as a notebook shows a value */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "ImportanceReport[AUC %.4f, log loss %.4f, %d features, %d repeats,"
                + " first %s]", auc, logLoss, features.size(), repeats, features.isEmpty() ? "none"
                : features.get(0).feature());
    }

    /**
     * @param name a permuted column
     * @return its place by mean AUC drop, 1 for the most important
     */
    public int rank(String name) {
        return features.indexOf(feature(name)) + 1;
    }

    /** @return one row per feature: mean and spread of the AUC drop and of the log-loss rise */
    @Override
    public Table table() {
        Table table = Table.create(String.format(Locale.ROOT, "Permutation importance (AUC %.4f, log loss %.4f, %d"
                + " repeats)", auc, logLoss, repeats),
                StringColumn.create("feature", features.stream().map(Feature::feature)),
                DoubleColumn.create("AUC drop", features.stream().mapToDouble(Feature::aucDrop)),
                DoubleColumn.create("AUC drop sd", features.stream().mapToDouble(Feature::aucDropSd)),
                DoubleColumn.create("log-loss rise", features.stream().mapToDouble(Feature::logLossRise)),
                DoubleColumn.create("log-loss rise sd", features.stream().mapToDouble(Feature::logLossRiseSd)));
        table.columnNames().stream().filter(n -> !n.equals("feature")).forEach(n -> table.doubleColumn(n)
                .setPrintFormatter(Formats.fixed(5)));
        return table;
    }
}
