package io.propensitykit.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * A reusable, row-major batch of float features backed by a direct buffer that its thread reuses
 * from task to task, so that scoring allocates no native memory per batch. The model's standardization is applied as values
 * are put, and scores are written back into an array owned by the batch.
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
    private final float[] scale;
    private final float[] shift;
    private final float[] scores;
    private final FeatureSpec spec;
    private int rows;
    private boolean released;

    FeatureBatch(ModelMetadata metadata, int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("batch size must be positive, found " + capacity);
        }
        this.features = metadata.inputWidth();
        this.capacity = capacity;
        this.bytes = borrow(Math.multiplyExact(Math.multiplyExact(features, capacity), Float.BYTES));
        this.floats = bytes.asFloatBuffer();
        this.scale = new float[features];
        this.shift = new float[features];
        double[] mean = metadata.mean();
        double[] std = metadata.std();
        this.spec = metadata.spec();
        for (int j = 0; j < features; j++) {
            scale[j] = mean == null ? 1f : (float) (1.0 / std[j]);
            shift[j] = mean == null ? 0f : (float) (-mean[j] / std[j]);
        }
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
     * Sets feature {@code column} of the current row; the standardization is applied here.
     *
     * @param column the feature index, in metadata order
     * @param value the raw value
     * @return false, and nothing set, when the standardized value is not a finite float: NaN,
     *     infinite, or finite but beyond the float range (such as {@code Double.MAX_VALUE})
     */
    public boolean set(int column, double value) {
        float encoded = (float) (value * scale[column] + shift[column]);
        if (!Float.isFinite(encoded)) {
            return false;
        }
        floats.put(rows * features + column, encoded);
        return true;
    }

    /**
     * Sets position {@code position} of the current row to an already encoded value.
     *
     * @param position the model input position
     * @param value the encoded value
     */
    @Override
    public void set(int position, float value) {
        floats.put(rows * features + position, value);
    }

    /**
     * Encodes raw values into the current row with the model's spec, or as plain numbers without one.
     *
     * @param raw one value per feature column
     * @return -1 when the row is usable (then call {@link #endRow()}), else the index of the bad value
     */
    public int put(Object[] raw) {
        if (spec != null) {
            return spec.encode(raw, this);
        }
        for (int j = 0; j < raw.length; j++) {
            if (!(raw[j] instanceof Number n) || !set(j, n.doubleValue())) {
                return j;
            }
        }
        return -1;
    }

    /** @return the feature spec the batch encodes with, or null */
    public FeatureSpec spec() {
        return spec;
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
