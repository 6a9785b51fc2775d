package io.propensitykit.model;

/**
 * {@link FeatureEncoder.Values} over a plain array: numbers, strings or booleans for categorical
 * features, and nulls. Reusable: {@link #of(Object[])} points it at the next row.
 */
public final class RawValues implements FeatureEncoder.Values {

    private Object[] raw;

    /**
     * @param row the raw values in the model's feature order
     * @return a view of the row
     */
    public static RawValues of(Object[] row) {
        return new RawValues().at(row);
    }

    /**
     * Points this view at another row.
     *
     * @param row the raw values in the model's feature order
     * @return this
     */
    public RawValues at(Object[] row) {
        this.raw = row;
        return this;
    }

    @Override
    public int size() {
        return raw.length;
    }

    @Override
    public boolean isNull(int feature) {
        return raw[feature] == null;
    }

    @Override
    public boolean isText(int feature) {
        return !(raw[feature] instanceof Number);
    }

    @Override
    public double number(int feature) {
        return ((Number) raw[feature]).doubleValue();
    }

    @Override
    public String text(int feature) {
        return raw[feature].toString();
    }
}
