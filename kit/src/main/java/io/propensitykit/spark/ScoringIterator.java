package io.propensitykit.spark;

import io.propensitykit.model.FeatureBatch;
import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.ImpossibleScoreException;
import io.propensitykit.model.ModelLease;
import io.propensitykit.model.PropensityModelException;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Scores a partition batch by batch: it reads up to {@code batchSize} rows into the scorer's
 * direct buffer, makes one predictor call, then hands out each input row joined with its score.
 *
 * <p>Input rows are copied into row buffers owned by this iterator and reused for every batch, and
 * the output row objects are reused too, as Spark's row iterators allow: the consumer (an unsafe
 * projection) copies what it keeps.
 */
final class ScoringIterator implements Iterator<InternalRow> {

    private final Iterator<InternalRow> input;
    private final FeatureReader.Cursor cursor;
    private final ModelLease scorer;
    private final FeatureBatch batch;
    private final HandleInvalid mode;
    private final InvalidRows invalid;
    private final InternalRow[] rows;
    private final UnsafeRow[] buffers;
    private final boolean[] scored;
    private final JoinedRow joined = new JoinedRow();
    private final GenericInternalRow scoreRow = new GenericInternalRow(1);
    private float[] scores;
    private int count;
    private int next;
    private int nextScore;

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

    ScoringIterator(Iterator<InternalRow> input, FeatureReader reader, ModelLease scorer, HandleInvalid mode,
            InvalidRows invalid) {
        this.input = input;
        this.cursor = reader.cursor();
        this.scorer = scorer;
        this.batch = scorer.batch();
        this.mode = mode;
        this.invalid = invalid;
        int capacity = batch.capacity();
        this.rows = new InternalRow[capacity];
        this.buffers = new UnsafeRow[capacity];
        this.scored = new boolean[capacity];
    }

    @Override
    public boolean hasNext() {
        if (next < count) {
            return true;
        }
        fill();
        return count > 0;
    }

    @Override
    public InternalRow next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        if (scored[next]) {
            scoreRow.setDouble(0, scores[nextScore++]);
        } else {
            scoreRow.setNullAt(0);
        }
        return joined.apply(rows[next++], scoreRow);
    }

    private void fill() {
        count = 0;
        next = 0;
        nextScore = 0;
        int capacity = rows.length;
        while (count < capacity && input.hasNext()) {
            InternalRow row = input.next();
            FeatureProblem problem = batch.add(cursor.at(row));
            if (problem == null) {
                scored[count] = true;
            } else if (mode == HandleInvalid.ERROR) {
                throw new InvalidFeaturesException(invalid.describe(row, problem.describe(cursor.subject(problem))));
            } else if (mode == HandleInvalid.SKIP) {
                invalid.skipped(row, problem.describe(cursor.subject(problem)));
                continue;
            } else {
                scored[count] = false;
            }
            rows[count] = keep(row, count);
            count++;
        }
        if (batch.rows() > 0) {
            try {
                scores = scorer.predict();
            } catch (ImpossibleScoreException e) {
                String id = invalid.identify(rows[slotOfScored(e.row())]);
                throw new PropensityModelException(e.getMessage() + (id.isEmpty() ? "" : " First such row:" + id + "."),
                        e);
            }
        }
    }

    /** The slot of the batch's {@code k}-th scored row; rows kept unscored take slots but no batch row. */
    private int slotOfScored(int k) {
        for (int slot = 0, seen = 0; slot < count; slot++) {
            if (scored[slot] && seen++ == k) {
                return slot;
            }
        }
        throw new IllegalStateException("batch row " + k + " has no slot");
    }

    /** Copies the row into this slot's reusable buffer: Spark reuses the input row object. */
    private InternalRow keep(InternalRow row, int slot) {
        if (row instanceof UnsafeRow unsafe) {
            UnsafeRow buffer = buffers[slot];
            if (buffer == null) {
                buffer = new UnsafeRow(unsafe.numFields());
                // copyFrom needs a byte[]-backed row; it grows the array when a row is larger.
                buffer.pointTo(new byte[unsafe.getSizeInBytes()], unsafe.getSizeInBytes());
                buffers[slot] = buffer;
            }
            buffer.copyFrom(unsafe);
            return buffer;
        }
        return row.copy();
    }
}
