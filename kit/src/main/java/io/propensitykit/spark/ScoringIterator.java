package io.propensitykit.spark;

import io.propensitykit.model.FeatureBatch;
import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.ImpossibleScoreException;
import io.propensitykit.model.ModelLease;
import io.propensitykit.model.PropensityModelException;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Scores a partition block by block: it encodes a block's rows into the lease's batch, makes one
 * predictor call, then hands out each row joined with its score.
 *
 * <p>The output row objects are reused, as Spark's row iterators allow: the consumer (an unsafe
 * projection) copies what it keeps.
 */
final class ScoringIterator implements Iterator<InternalRow> {

    private final RowBlocks input;
    private final ModelLease scorer;
    private final FeatureBatch batch;
    private final HandleInvalid mode;
    private final InvalidRows invalid;
    /** The block's rows to hand out, in order: skipped rows are left out. */
    private final int[] out;
    private final FeatureProblem[] problems;
    private final JoinedRow joined = new JoinedRow();
    /** The score column as a one-field unsafe row: a double set in place, not boxed. */
    private final UnsafeRow scoreRow = new UnsafeRow(1);
    private float[] scores;
    private int count;
    private int next;

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

    ScoringIterator(RowBlocks input, ModelLease scorer, HandleInvalid mode, InvalidRows invalid) {
        this.input = input;
        this.scorer = scorer;
        this.batch = scorer.batch();
        this.mode = mode;
        this.invalid = invalid;
        this.out = new int[batch.capacity()];
        this.problems = new FeatureProblem[batch.capacity()];
        scoreRow.pointTo(new byte[UnsafeRow.calculateBitSetWidthInBytes(1) + Long.BYTES],
                UnsafeRow.calculateBitSetWidthInBytes(1) + Long.BYTES);
    }

    @Override
    public boolean hasNext() {
        while (next >= count) {
            if (!fill()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public InternalRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        int slot = out[next++];
        if (problems[slot] == null) {
            scoreRow.setDouble(0, scores[slot]);
        } else {
            scoreRow.setNullAt(0);
        }
        return joined.apply(input.get(slot), scoreRow);
    }

    /** Scores the next block; false at the end of the partition. */
    private boolean fill() {
        count = 0;
        next = 0;
        int size = input.next();
        if (size == 0) {
            return false;
        }
        int bad = batch.addBlock(input, problems);
        for (int slot = 0; slot < size; slot++) {
            FeatureProblem problem = problems[slot];
            if (problem != null && mode != HandleInvalid.KEEP) {
                String what = problem.describe(input.row(slot).subject(problem));
                InternalRow row = input.get(slot);
                if (mode == HandleInvalid.ERROR) {
                    throw new InvalidFeaturesException(invalid.describe(row, what));
                }
                invalid.skipped(row, what);
                continue;
            }
            out[count++] = slot;
        }
        if (bad < size) {
            try {
                // Rows with a problem went in as zeros; their scores are not used.
                scores = scorer.predict();
            } catch (ImpossibleScoreException e) {
                String id = invalid.identify(input.get(e.row()));
                throw new PropensityModelException(e.getMessage() + (id.isEmpty() ? "" : " First such row:" + id + "."),
                        e);
            }
        } else {
            batch.clear();
        }
        return true;
    }
}
