package io.propensitykit.spark;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.BoundReference;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeProjection;
import org.apache.spark.sql.catalyst.expressions.UnsafeRow;
import org.apache.spark.sql.catalyst.expressions.codegen.GenerateUnsafeRowJoiner;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowJoiner;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import scala.collection.JavaConverters;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.IntStream;

/**
 * Scores a partition of rows block by block and hands out each row with its score appended, as an
 * {@link UnsafeRow}, the form Spark's operators take: the input row's bytes and the score are
 * joined in one copy. When the query reads only some input columns after scoring, only those go
 * out (and the blocks keep only those, and the id); when it reads only the score, the score goes
 * out alone and no row is kept. Rows skipped under {@code skip} are left out.
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
    /** Whether the query reads only the score after scoring: then the score row goes out alone. */
    private final boolean onlyScore;
    private UnsafeRowJoiner joiner;
    private UnsafeProjection projection;
    private JoinedRow joined;
    private int count;
    private int next;

    /**
     * @param schema the schema of the rows the blocks keep
     * @param kept which of their columns go out, in order, before the score; null for all
     */
    ScoringIterator(RowBlocks.Copied input, BlockScorer scorer, HandleInvalid mode, StructType schema, int[] kept) {
        this.input = input;
        this.scorer = scorer;
        this.skip = mode == HandleInvalid.SKIP;
        this.schema = schema;
        this.out = new int[scorer.capacity()];
        int bytes = UnsafeRow.calculateBitSetWidthInBytes(1) + Long.BYTES;
        scoreRow.pointTo(new byte[bytes], bytes);
        this.onlyScore = kept != null && kept.length == 0;
        boolean all = kept == null || Arrays.equals(kept, IntStream.range(0, schema.length()).toArray());
        if (!all && !onlyScore) {
            List<Expression> columns = new ArrayList<>();
            for (int k : kept) {
                columns.add(new BoundReference(k, schema.fields()[k].dataType(), schema.fields()[k].nullable()));
            }
            columns.add(new BoundReference(schema.length(), DataTypes.DoubleType, true));
            projection = UnsafeProjection.create(JavaConverters.asScalaBuffer(columns).toList());
            joined = new JoinedRow();
        }
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
        if (onlyScore) {
            return scoreRow;
        }
        InternalRow row = input.get(slot);
        if (projection == null && row instanceof UnsafeRow unsafe) {
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
