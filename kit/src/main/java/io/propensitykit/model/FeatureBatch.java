package io.propensitykit.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A reusable, row-major batch of the model's encoded input, backed by a direct buffer that its
 * thread reuses from task to task, so that scoring allocates no native memory per batch. Raw rows
 * go in through the model's {@link FeatureEncoder}; scores come back in an array owned by the batch.
 *
 * <p>Not thread-safe: each task thread uses its own batch from {@link PropensityModel#newScorer}.
 */
public final class FeatureBatch implements FeatureSpec.Sink {

    /**
     * Each thread keeps the direct buffers its batches released, for the next task to reuse. Two
     * scorers open at once on one thread (two models chained in one query) borrow two buffers.
     */
    private static final ThreadLocal<ArrayDeque<ByteBuffer>> POOL = ThreadLocal.withInitial(ArrayDeque::new);
    private static final int POOL_LIMIT = 4;

    private final int features;
    private final int capacity;
    private final ByteBuffer bytes;
    private final FloatBuffer floats;
    private final float[] scores;
    private final FeatureEncoder encoder;
    private int rows;
    private boolean released;

    FeatureBatch(ModelMetadata metadata, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("batch size must be positive, found " + capacity);
        }
        this.encoder = new FeatureEncoder(metadata.encoding());
        this.features = encoder.width();
        this.capacity = capacity;
        this.bytes = borrow(Math.multiplyExact(Math.multiplyExact(features, capacity), Float.BYTES));
        this.floats = bytes.asFloatBuffer();
        this.scores = new float[capacity];
    }

    private static ByteBuffer borrow(int size) {
        ArrayDeque<ByteBuffer> pool = POOL.get();
        for (Iterator<ByteBuffer> it = pool.iterator(); it.hasNext();) {
            ByteBuffer buffer = it.next();
            if (buffer.capacity() >= size) {
                it.remove();
                buffer.clear();
                return buffer;
            }
        }
        return ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
    }

    /** Gives the direct buffer back to this thread's pool; the batch must not be used afterwards. */
    void release() {
        ArrayDeque<ByteBuffer> pool = POOL.get();
        if (!released && pool.size() < POOL_LIMIT) {
            pool.push(bytes);
        }
        released = true;
    }

    /**
     * Encodes one row of raw values with the model's {@link FeatureEncoder} and adds it to the batch.
     *
     * @param row the raw values, in the model's feature order
     * @return null when the row was added, else why it cannot be scored (and nothing was added)
     */
    public FeatureProblem add(FeatureEncoder.Values row) {
        FeatureProblem problem = encoder.encode(row, this);
        if (problem == null) {
            rows++;
        }
        return problem;
    }

    /**
     * Sets position {@code position} of the current row to an already encoded value; end the row
     * with {@link #endRow()}. Raw values go through {@link #add} instead.
     *
     * @param position the model input position
     * @param value the encoded value
     */
    @Override
    public void set(int position, float value) {
        floats.put(rows * features + position, value);
    }

    /**
     * Adds rows that are already encoded, {@link #features()} values per row.
     *
     * @param encoded the values, row after row
     * @param rowCount how many rows to add; they must fit
     */
    public void addEncoded(float[] encoded, int rowCount) {
        if (rows + rowCount > capacity) {
            throw new IllegalArgumentException(rowCount + " rows do not fit: " + rows + " of " + capacity + " taken");
        }
        floats.put(rows * features, encoded, 0, rowCount * features);
        rows += rowCount;
    }

    /** Ends the current row; the next {@link #set} calls fill the following one. */
    public void endRow() {
        rows++;
    }

    /** Forgets the rows, keeping the buffer. */
    public void clear() {
        rows = 0;
    }

    /** @return the number of complete rows */
    public int rows() {
        return rows;
    }

    /** @return whether no further row fits */
    public boolean isFull() {
        return rows == capacity;
    }

    /** @return the maximum number of rows */
    public int capacity() {
        return capacity;
    }

    /** @return the model's input width: values per row */
    public int features() {
        return features;
    }

    /**
     * Returns the scores of the last prediction; index {@code i} belongs to row {@code i}.
     *
     * @return the array owned by this batch, overwritten by the next prediction
     */
    public float[] scores() {
        return scores;
    }

    /** The direct bytes of the complete rows, positioned for a zero-copy tensor. */
    ByteBuffer inputBytes() {
        bytes.clear();
        bytes.limit(rows * features * Float.BYTES);
        return bytes;
    }
}
