package io.propensitykit.spark;

import io.propensitykit.model.FeatureBatch;
import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.ImpossibleScoreException;
import io.propensitykit.model.ModelLease;
import io.propensitykit.model.PropensityModelException;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.execution.vectorized.WritableColumnVector;

/**
 * Scores one block of rows at a time, for both ways a partition leaves the scorer (rows or column
 * batches): it encodes the block into the lease's batch, applies the invalid-row policy, and makes
 * one predictor call. A row with a problem goes in as zeros and gets no score.
 */
final class BlockScorer {

    /** Formats the message for a bad row and counts skipped ones. */
    interface InvalidRows {
        /**
         * @param row the bad row
         * @param problem what is wrong, for example {@code column 'recency' is NaN}
         * @return the error message
         */
        String describe(InternalRow row, String problem);

        void skipped(InternalRow row, String problem);

        /** @return how an error names the row: its id, or an empty string */
        String identify(InternalRow row);
    }

    private final ModelLease lease;
    private final FeatureBatch batch;
    private final HandleInvalid mode;
    private final InvalidRows invalid;
    private final InvalidRows slots;
    private final FeatureProblem[] problems;
    private final RowBlocks.BadRow onBadRow = this::badRow;
    private float[] scores;

    /**
     * @param invalid describes a bad input row
     * @param slots names a row of a block, as the block keeps it, when the model fails on it
     */
    BlockScorer(ModelLease lease, HandleInvalid mode, InvalidRows invalid, InvalidRows slots) {
        this.lease = lease;
        this.batch = lease.batch();
        this.mode = mode;
        this.invalid = invalid;
        this.slots = slots;
        this.problems = new FeatureProblem[batch.capacity()];
    }

    /** @return the most rows a block may hold */
    int capacity() {
        return batch.capacity();
    }

    /** How many rows of the last block have a problem. */
    private int bad;

    /**
     * Scores a slice of a column batch, encoded feature by feature. Under {@code error} a bad row
     * fails the task, naming the row; under {@code skip} it is counted; under {@code keep} it is
     * left without a score.
     *
     * @param block the current slice
     */
    void score(RowBlocks.Slices block) {
        bad = batch.addBlock(block, problems);
        for (int slot = 0; bad > 0 && mode != HandleInvalid.KEEP && slot < block.rows(); slot++) {
            if (problems[slot] != null) {
                badRow(block.get(slot), block.row(slot), problems[slot]);
            }
        }
        predict(block);
    }

    /**
     * Reads, encodes and scores the next block of rows, with the same policy for bad rows, applied
     * as each is read.
     *
     * @param block the partition's rows
     * @return the block's row count, 0 at the end of the partition
     */
    int scoreNext(RowBlocks.Copied block) {
        int size = block.next(batch, problems, onBadRow);
        bad = 0;
        for (int slot = 0; slot < size; slot++) {
            if (problems[slot] != null) {
                bad++;
            }
        }
        if (size > 0) {
            predict(block);
        }
        return size;
    }

    /** The policy for a bad row: fail naming it, count it, or leave it without a score. */
    private void badRow(InternalRow row, FeatureReader.Cursor at, FeatureProblem problem) {
        if (mode == HandleInvalid.KEEP) {
            return;
        }
        String what = problem.describe(at.subject(problem));
        if (mode == HandleInvalid.ERROR) {
            throw new InvalidFeaturesException(invalid.describe(row, what));
        }
        invalid.skipped(row, what);
    }

    /** Predicts the block encoded in the batch, unless every row of it is bad. */
    private void predict(RowBlocks block) {
        if (bad == block.rows()) {
            batch.clear();
            return;
        }
        try {
            scores = lease.predict();
        } catch (ImpossibleScoreException e) {
            String id = slots.identify(block.get(e.row()));
            throw new PropensityModelException(e.getMessage() + (id.isEmpty() ? "" : " First such row:" + id + "."), e);
        }
    }

    /**
     * @param slot a row of the last block scored
     * @return whether it has a score
     */
    boolean scored(int slot) {
        return problems[slot] == null;
    }

    /**
     * Writes the last block's scores into a column, a null for a row without one.
     *
     * @param column the score column
     * @param at where in it the block's first row goes
     * @param size the block's rows
     */
    void copyScores(WritableColumnVector column, int at, int size) {
        for (int slot = 0; slot < size; slot++) {
            if (bad == 0 || problems[slot] == null) {
                column.putDouble(at + slot, scores[slot]);
            } else {
                column.putNull(at + slot);
            }
        }
    }

    /**
     * @param slot a row of the last block scored, one with a score
     * @return its score
     */
    float score(int slot) {
        return scores[slot];
    }
}
