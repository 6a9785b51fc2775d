package io.propensitykit.metrics;

import java.util.Arrays;

/** ROC AUC on arrays, exactly: the Mann-Whitney statistic, with ties given half credit. */
public final class RocAuc {

    private RocAuc() {}

    /**
     * Computes the area under the ROC curve.
     *
     * @param scores one score per row; higher means more likely positive
     * @param positive one label per row
     * @return the AUC in [0, 1]
     * @throws IllegalArgumentException when the lengths differ or a class is absent
     */
    public static double of(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) {
            throw new IllegalArgumentException(scores.length + " scores but " + positive.length + " labels");
        }
        Integer[] order = new Integer[scores.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPositive = 0;
        long positives = 0;
        int i = 0;
        while (i < order.length) {
            int j = i;
            while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSumPositive += midRank;
                    positives++;
                }
            }
            i = j + 1;
        }
        long negatives = scores.length - positives;
        if (positives == 0 || negatives == 0) {
            throw new IllegalArgumentException("AUC needs both classes: " + positives + " positives, " + negatives
                    + " negatives");
        }
        return (rankSumPositive - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
    }
}
