package io.propensitykit.spark;

import org.apache.spark.sql.execution.vectorized.OnHeapColumnVector;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import java.util.Iterator;

/**
 * Scores a partition of column batches: each batch goes on with its own column vectors (those the
 * query reads after scoring) plus one score vector, with no row made and no value copied but the
 * scores. A batch larger than the
 * model's batch size is scored in slices.
 *
 * <p>The score vector and the output batch are reused from batch to batch, as the scan reuses its
 * own: the consumer reads a batch before it asks for the next. The score vector is closed with
 * {@link #close()}.
 */
final class ScoredBatches implements Iterator<ColumnarBatch>, AutoCloseable {

    private final Iterator<ColumnarBatch> input;
    private final RowBlocks.Slices blocks;
    private final BlockScorer scorer;
    private OnHeapColumnVector scores;
    private int scoresCapacity;
    private ColumnVector[] columns;
    private ColumnarBatch out;
    private final int[] kept;

    /** @param kept the ordinals of the input's vectors handed on, in order, or null for all of them */
    ScoredBatches(Iterator<ColumnarBatch> input, RowBlocks.Slices blocks, BlockScorer scorer, int[] kept) {
        this.input = input;
        this.blocks = blocks;
        this.scorer = scorer;
        this.kept = kept;
    }

    @Override
    public boolean hasNext() {
        return input.hasNext();
    }

    @Override
    public ColumnarBatch next() {
        ColumnarBatch in = input.next();
        int rows = in.numRows();
        if (scores == null || rows > scoresCapacity) {
            close();
            scoresCapacity = Math.max(rows, scorer.capacity());
            scores = new OnHeapColumnVector(scoresCapacity, DataTypes.DoubleType);
            columns = null;
        }
        scores.reset();
        blocks.start(in);
        for (int at = 0, size; (size = blocks.next()) > 0; at += size) {
            scorer.score(blocks);
            scorer.copyScores(scores, at, size);
        }
        if (!sameColumns(in)) {
            int n = kept == null ? in.numCols() : kept.length;
            columns = new ColumnVector[n + 1];
            for (int c = 0; c < n; c++) {
                columns[c] = in.column(kept == null ? c : kept[c]);
            }
            columns[n] = scores;
            out = new ColumnarBatch(columns);
        }
        out.setNumRows(rows);
        return out;
    }

    /** Whether the input batch holds the vectors of the last output batch, as a reused scan batch does. */
    private boolean sameColumns(ColumnarBatch in) {
        int n = kept == null ? in.numCols() : kept.length;
        if (columns == null || columns.length != n + 1) {
            return false;
        }
        for (int c = 0; c < n; c++) {
            if (columns[c] != in.column(kept == null ? c : kept[c])) {
                return false;
            }
        }
        return true;
    }

    /** Frees the score vector; the input's vectors belong to the input. */
    @Override
    public void close() {
        if (scores != null) {
            scores.close();
            scores = null;
        }
    }
}
