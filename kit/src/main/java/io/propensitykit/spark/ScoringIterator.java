package io.propensitykit.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.codegen.GenerateUnsafeRowJoiner;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowJoiner;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Scores a partition of rows block by block and hands out each row with its score appended, as an
 * {@link UnsafeRow}, the form Spark's operators take: the input row's bytes and the score are
 * joined in one copy. Rows skipped under {@code skip} are left out.
 *
 * <p>The output row is reused, as Spark's row iterators allow: the consumer copies what it keeps.
 */
final class ScoringIterator implements Iterator<InternalRow> {

    private final RowBlocks.Copied input;
    private final BlockScorer scorer;
    private final boolean skip;
    private final StructType schema;
    /** The block's rows to hand out, in order: skipped rows are left out. */
    private final int[] out;
    /** The score column as a one-field unsafe row: a double set in place, not boxed. */
    private final UnsafeRow scoreRow = new UnsafeRow(1);
    private UnsafeRowJoiner joiner;
    private UnsafeProjection projection;
    private JoinedRow joined;
    private int count;
    private int next;

    ScoringIterator(RowBlocks.Copied input, BlockScorer scorer, HandleInvalid mode, StructType schema) {
        this.input = input;
        this.scorer = scorer;
        this.skip = mode == HandleInvalid.SKIP;
        this.schema = schema;
        this.out = new int[scorer.capacity()];
        int bytes = UnsafeRow.calculateBitSetWidthInBytes(1) + Long.BYTES;
        scoreRow.pointTo(new byte[bytes], bytes);
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
        if (scorer.scored(slot)) {
            scoreRow.setDouble(0, scorer.score(slot));
        } else {
            scoreRow.setNullAt(0);
        }
        InternalRow row = input.get(slot);
        if (row instanceof UnsafeRow unsafe) {
            if (joiner == null) {
                joiner = GenerateUnsafeRowJoiner.create(schema, new StructType().add("score", DataTypes.DoubleType));
            }
            return joiner.join(unsafe, scoreRow);
        }
        if (projection == null) {
            projection = UnsafeProjection.create(schema.add("score", DataTypes.DoubleType));
            joined = new JoinedRow();
        }
        return projection.apply(joined.apply(row, scoreRow));
    }

    /** Scores the next block; false at the end of the partition. */
    private boolean fill() {
        count = 0;
        next = 0;
        int size = scorer.scoreNext(input);
        if (size == 0) {
            return false;
        }
        for (int slot = 0; slot < size; slot++) {
            if (!skip || scorer.scored(slot)) {
                out[count++] = slot;
            }
        }
        return true;
    }
}
