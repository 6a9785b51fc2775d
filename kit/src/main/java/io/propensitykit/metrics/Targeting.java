package io.propensitykit.metrics;

import io.propensitykit.display.Rows;
import io.propensitykit.display.Tabular;
import io.propensitykit.internal.Columns;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

import tech.tablesaw.api.Table;

import java.io.Serializable;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.PriorityQueue;

/**
 * From a contact budget to a cutoff: the {@code budget} highest-scoring customers, the lowest
 * score among them, how many of them are expected to respond (the sum of their probabilities),
 * how many did (when a label is given), and the lift over contacting as many at random.
 *
 * <pre>{@code
 * Targeting t = Targeting.forBudget(scored, "propensity", "purchased", 10_000);
 * t.cutoff();  t.expectedResponders();  t.observedResponders();  t.lift();
 * }</pre>
 *
 * <p>One Spark pass: each partition keeps its {@code budget} highest scores in a heap, the heaps
 * merge pairwise on the executors, and the driver receives one heap and the totals. Memory per
 * task grows with the budget (about 50 bytes a customer), not with the rows.
 *
 * @param contacted customers chosen: the budget, or every row if there are fewer
 * @param cutoff the lowest score among them
 * @param expectedResponders the sum of their scores
 * @param observedResponders their label's sum, NaN without a label
 * @param baseRate the response rate of all rows: the label's mean, or the mean score without a label
 * @param lift expected responders over {@code contacted * baseRate}, those of a random pick
 */
public record Targeting(long contacted, double cutoff, double expectedResponders, double observedResponders,
        double baseRate, double lift) implements Tabular {

    /** @return one row: contacted, cutoff, expected and observed responders, base rate and lift */
    @Override
    public Table table() {
        return Rows.of("targeting", List.of(this)).count("contacted", Targeting::contacted)
                .number("cutoff", Targeting::cutoff, 4).number("expected responders", Targeting::expectedResponders, 1)
                .number("observed responders", Targeting::observedResponders, 0)
                .number("base rate", Targeting::baseRate, 4)
                .number("lift", Targeting::lift, 2).table();
    }

    /** @return who is contacted, from which score, and what that should bring, rounded */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "Targeting[%,d contacted from score %.4f, %,.0f responders expected,"
                + " lift %.2f]", contacted, cutoff, expectedResponders, lift);
    }

    /**
     * Targets by score alone: the base rate is the mean score.
     *
     * @param df the scored rows
     * @param scoreCol probabilities in [0, 1]
     * @param budget how many customers to contact
     * @return the targeting
     */
    public static Targeting forBudget(Dataset<?> df, String scoreCol, int budget) {
        return forBudget(df, scoreCol, null, budget);
    }

    /**
     * Targets by score and counts the observed responders among those chosen.
     *
     * @param df the scored rows
     * @param scoreCol probabilities in [0, 1]
     * @param labelCol the 0/1 outcome, or null for none
     * @param budget how many customers to contact
     * @return the targeting
     */
    public static Targeting forBudget(Dataset<?> df, String scoreCol, String labelCol, int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("The budget must be at least one customer; got " + budget);
        }
        Column y = labelCol == null ? functions.lit(0.0) : functions.col(labelCol).cast("double");
        Top top = df.select(functions.col(scoreCol).cast("double"), y).javaRDD().mapPartitions(rows -> {
            Top t = new Top(budget);
            rows.forEachRemaining(t::add);
            return List.of(t).iterator();
        }).treeReduce(Top::merge, 2);
        top.check(scoreCol, labelCol);
        double expected = 0;
        double observed = 0;
        double cutoff = Double.POSITIVE_INFINITY;
        for (double[] row : top.heap) {
            expected += row[0];
            observed += row[1];
            cutoff = Math.min(cutoff, row[0]);
        }
        double baseRate = (labelCol == null ? top.scoreSum : top.labelSum) / top.rows;
        int contacted = top.heap.size();
        return new Targeting(contacted, cutoff, expected, labelCol == null ? Double.NaN : observed, baseRate,
                expected / (contacted * baseRate));
    }

    /** A partition's highest scores with their labels, the totals, and the rows that break the rules. */
    private static final class Top implements Serializable {
        private static final long serialVersionUID = 1L;

        private final int budget;
        private final PriorityQueue<double[]> heap = new PriorityQueue<>(
                (Comparator<double[]> & Serializable) (a, b) -> Double.compare(a[0], b[0]));
        private long rows;
        private double scoreSum;
        private double labelSum;
        private long nullScores;
        private long outsideScores;
        private double badScore = Double.NaN;
        private long nullLabels;
        private long otherLabels;
        private double badLabel = Double.NaN;

        Top(int budget) {
            this.budget = budget;
        }

        void add(Row r) {
            if (r.isNullAt(0)) {
                nullScores++;
                return;
            }
            if (!(r.getDouble(0) >= 0 && r.getDouble(0) <= 1)) {
                badScore = outsideScores++ == 0 ? r.getDouble(0) : badScore;
                return;
            }
            if (r.isNullAt(1)) {
                nullLabels++;
                return;
            }
            if (r.getDouble(1) != 0 && r.getDouble(1) != 1) {
                badLabel = otherLabels++ == 0 ? r.getDouble(1) : badLabel;
                return;
            }
            rows++;
            scoreSum += r.getDouble(0);
            labelSum += r.getDouble(1);
            offer(r.getDouble(0), r.getDouble(1));
        }

        private void offer(double score, double label) {
            if (heap.size() < budget) {
                heap.add(new double[] {score, label});
            } else if (score > heap.peek()[0]) {
                double[] lowest = heap.poll();
                lowest[0] = score;
                lowest[1] = label;
                heap.add(lowest);
            }
        }

        Top merge(Top other) {
            for (double[] row : other.heap) {
                offer(row[0], row[1]);
            }
            rows += other.rows;
            scoreSum += other.scoreSum;
            labelSum += other.labelSum;
            badScore = outsideScores == 0 ? other.badScore : badScore;
            badLabel = otherLabels == 0 ? other.badLabel : badLabel;
            nullScores += other.nullScores;
            outsideScores += other.outsideScores;
            nullLabels += other.nullLabels;
            otherLabels += other.otherLabels;
            return this;
        }

        void check(String scoreCol, String labelCol) {
            Columns.requireProbabilities(scoreCol, nullScores, outsideScores, badScore);
            Columns.requireBinary(labelCol, nullLabels, otherLabels, badLabel);
            if (rows == 0) {
                throw new IllegalArgumentException("No rows to target.");
            }
        }
    }
}
