package io.propensitykit.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How raw columns become the model's input vector: numeric columns standardized, after a
 * {@code log1p} where asked (nulls imputed
 * with the mean and flagged in a {@code _missing} indicator when the training data had any),
 * categorical columns one-hot encoded with an unknown bucket for unseen values and nulls, in a
 * fixed order. Fitted once on training data, saved with the model, and applied unchanged when
 * scoring, so training and serving cannot drift apart.
 *
 * <pre>{@code
 * FeatureSpec spec = FeatureSpec.fit(rows, List.of("recency_days", "monetary"), List.of("channel"), 20);
 * float[] x = new float[spec.width()];
 * FeatureProblem problem = spec.encode(new Object[] {12, 230.5, "web"}, x, 0);   // null: encoded
 * }</pre>
 */
public final class FeatureSpec implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The encoded name of the unknown bucket of a categorical column. */
    public static final String UNKNOWN = "<unknown>";

    private final List<Column> columns;
    private final int[] offsets;
    private final int width;
    // The numeric columns' parameters as arrays, for the encoder's per-value path.
    private final double[] mean;
    private final double[] inverseStd;
    private final boolean[] log;
    private final boolean[] missingFlag;

    /** One raw column's encoding. */
    private record Column(String name, boolean categorical, boolean log, double mean, double std,
            boolean missingFlag, List<String> levels, Map<String, Integer> index) implements Serializable {

        int width() {
            return categorical ? levels.size() + 1 : missingFlag ? 2 : 1;
        }
    }

    private FeatureSpec(List<Column> columns) {
        this.columns = List.copyOf(columns);
        this.offsets = new int[columns.size()];
        int w = 0;
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = w;
            w += columns.get(i).width();
        }
        this.width = w;
        int n = columns.size();
        this.mean = new double[n];
        this.inverseStd = new double[n];
        this.log = new boolean[n];
        this.missingFlag = new boolean[n];
        for (int i = 0; i < n; i++) {
            Column c = columns.get(i);
            mean[i] = c.mean();
            inverseStd[i] = 1.0 / c.std();
            log[i] = c.log();
            missingFlag[i] = c.missingFlag();
        }
    }

    /**
     * Fits the spec on raw rows.
     *
     * @param rows raw values, one array per row, numeric columns first then categorical, in the
     *     order of the two name lists
     * @param numeric the numeric column names
     * @param categorical the categorical column names
     * @param maxLevels the most frequent levels kept per categorical column; rarer ones go to the
     *     unknown bucket
     * @return the fitted spec
     */
    public static FeatureSpec fit(List<Object[]> rows, List<String> numeric, List<String> categorical, int maxLevels) {
        return fit(rows, numeric, categorical, maxLevels, java.util.Set.of());
    }

    /**
     * Fits the spec, taking {@code log1p} of the listed numeric columns before standardizing them:
     * for skewed, non-negative columns such as spend or days since the last order.
     *
     * @param rows raw values, numeric columns first then categorical
     * @param numeric the numeric column names
     * @param categorical the categorical column names
     * @param maxLevels the most frequent levels kept per categorical column
     * @param logColumns numeric columns to transform with {@code log1p}
     * @return the fitted spec
     */
    public static FeatureSpec fit(List<Object[]> rows, List<String> numeric, List<String> categorical, int maxLevels,
            java.util.Set<String> logColumns) {
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("A feature spec needs at least one training row");
        }
        List<Column> columns = new ArrayList<>();
        for (int j = 0; j < numeric.size(); j++) {
            double sum = 0;
            double sumSq = 0;
            long n = 0;
            long missing = 0;
            for (Object[] row : rows) {
                Object v = row[j];
                if (v == null) {
                    missing++;
                    continue;
                }
                double x = ((Number) v).doubleValue();
                boolean log = logColumns.contains(numeric.get(j));
                if (!Double.isFinite(x) || log && x <= -1) {
                    throw new IllegalArgumentException("Column '" + numeric.get(j) + "' holds " + x
                            + " in the training data" + (log ? ", which log1p cannot take" : "")
                            + "; fix or drop such rows before fitting.");
                }
                x = log ? Math.log1p(x) : x;
                sum += x;
                sumSq += x * x;
                n++;
            }
            if (n == 0) {
                throw new IllegalArgumentException("Column '" + numeric.get(j) + "' is null in every training row");
            }
            double mean = sum / n;
            double var = Math.max(0, sumSq / n - mean * mean);
            double std = var > 1e-24 ? Math.sqrt(var) : 1.0;
            columns.add(new Column(numeric.get(j), false, logColumns.contains(numeric.get(j)), mean, std, missing > 0,
                    List.of(), Map.of()));
        }
        for (int k = 0; k < categorical.size(); k++) {
            int j = numeric.size() + k;
            Map<String, Long> counts = new HashMap<>();
            for (Object[] row : rows) {
                if (row[j] != null) {
                    counts.merge(level(row[j]), 1L, Long::sum);
                }
            }
            List<String> levels = counts.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())
                            .thenComparing(Map.Entry.comparingByKey()))
                    .limit(maxLevels).map(Map.Entry::getKey).sorted().toList();
            columns.add(categorical(categorical.get(k), levels));
        }
        return new FeatureSpec(columns);
    }

    private static Column categorical(String name, List<String> levels) {
        Map<String, Integer> index = new LinkedHashMap<>();
        for (int i = 0; i < levels.size(); i++) {
            index.put(levels.get(i), i);
        }
        return new Column(name, true, false, 0, 1, false, List.copyOf(levels), index);
    }

    /** @return the raw input columns, in the order {@link #encode} takes them */
    public List<String> inputColumns() {
        return columns.stream().map(Column::name).toList();
    }

    /**
     * @param i a raw column index
     * @return whether raw column {@code i} is categorical
     */
    public boolean isCategorical(int i) {
        return columns.get(i).categorical();
    }

    /** @return the length of the encoded vector: the model's input width */
    public int width() {
        return width;
    }

    /** @return a name for each encoded position, e.g. {@code recency_days}, {@code channel=web}, {@code channel=<unknown>} */
    public List<String> encodedNames() {
        List<String> names = new ArrayList<>();
        for (Column c : columns) {
            if (c.categorical()) {
                c.levels().forEach(level -> names.add(c.name() + "=" + level));
                names.add(c.name() + "=" + UNKNOWN);
            } else {
                names.add(c.name());
                if (c.missingFlag()) {
                    names.add(c.name() + "_missing");
                }
            }
        }
        return names;
    }

    /**
     * Encodes one row with the {@link FeatureEncoder}.
     *
     * @param raw the raw values in {@link #inputColumns()} order: numbers, strings, or null
     * @param out receives the {@link #width()} encoded values
     * @param offset where in {@code out} the row starts
     * @return null when the row was encoded, else why it cannot be (a NaN, an infinity, a null in a
     *     numeric column that had no nulls in training, ...)
     */
    public FeatureProblem encode(Object[] raw, float[] out, int offset) {
        return new FeatureEncoder(this).encode(RawValues.of(raw), out, offset);
    }

    /** The level text of a number in a categorical column: integral numbers without a decimal point. */
    static String level(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    /** The level text of a training value: as {@link FeatureEncoder} reads it when scoring. */
    private static String level(Object v) {
        return v instanceof Number n ? level(n.doubleValue()) : v.toString();
    }

    /** Encodes a number of numeric column {@code i}: standardized, after {@code log1p} where asked. */
    FeatureProblem.Reason encodeNumber(int i, double x, float[] out, int offset) {
        if (!Double.isFinite(x)) {
            return FeatureProblem.Reason.NOT_FINITE;
        }
        if (log[i] && x <= -1) {
            return FeatureProblem.Reason.OUTSIDE_LOG1P;
        }
        // Multiplying by 1/std is within one double ulp of dividing (far below float32's precision)
        // and costs a fraction of it.
        // A finite value can still overflow the model's float input once standardized (1e300, say).
        float encoded = (float) (((log[i] ? Math.log1p(x) : x) - mean[i]) * inverseStd[i]);
        if (!Float.isFinite(encoded)) {
            return FeatureProblem.Reason.OVERFLOW;
        }
        int p = offset + offsets[i];
        out[p] = encoded;
        if (missingFlag[i]) {
            out[p + 1] = 0f;
        }
        return null;
    }

    /** Encodes a level of categorical column {@code i}: its one-hot slot, or the unknown bucket. */
    FeatureProblem.Reason encodeLevel(int i, String value, float[] out, int offset) {
        Integer level = columns.get(i).index().get(value);
        oneHot(i, level == null ? columns.get(i).levels().size() : level, out, offset);
        return null;
    }

    private void oneHot(int i, int slot, float[] out, int offset) {
        int start = offset + offsets[i];
        java.util.Arrays.fill(out, start, start + columns.get(i).levels().size() + 1, 0f);
        out[start + slot] = 1f;
    }

    /** Encodes a null in column {@code i}: the unknown bucket, or the mean and the missing flag. */
    FeatureProblem.Reason encodeNull(int i, float[] out, int offset) {
        if (columns.get(i).categorical()) {
            oneHot(i, columns.get(i).levels().size(), out, offset);
            return null;
        }
        if (!missingFlag[i]) {
            return FeatureProblem.Reason.NULL;
        }
        out[offset + offsets[i]] = 0f;
        out[offset + offsets[i] + 1] = 1f;
        return null;
    }

    /**
     * The spec of a model whose features are all numbers, standardized with the given means and
     * standard deviations, or taken as they are when there are none: how the kit reads metadata
     * that has {@code preprocessing} instead of a {@code feature_spec}.
     *
     * @param names the feature names
     * @param means one mean per feature, or null
     * @param stds one positive standard deviation per feature, or null
     * @return an all-numeric spec without missing indicators
     */
    public static FeatureSpec standardized(List<String> names, double[] means, double[] stds) {
        List<Column> columns = new ArrayList<>();
        for (int j = 0; j < names.size(); j++) {
            columns.add(new Column(names.get(j), false, false, means == null ? 0 : means[j],
                    stds == null ? 1 : stds[j], false, List.of(), Map.of()));
        }
        return new FeatureSpec(columns);
    }

    /** @return the spec as the JSON kept in the model's metadata */
    public JsonObject toJson() {
        JsonArray list = new JsonArray();
        for (Column c : columns) {
            JsonObject o = new JsonObject();
            o.addProperty("name", c.name());
            if (c.categorical()) {
                o.addProperty("type", "categorical");
                JsonArray levels = new JsonArray();
                c.levels().forEach(levels::add);
                o.add("levels", levels);
            } else {
                o.addProperty("type", "numeric");
                if (c.log()) {
                    o.addProperty("transform", "log1p");
                }
                o.addProperty("mean", c.mean());
                o.addProperty("std", c.std());
                o.addProperty("missing_indicator", c.missingFlag());
            }
            list.add(o);
        }
        JsonObject root = new JsonObject();
        root.add("columns", list);
        return root;
    }

    /**
     * Reads a spec from its metadata JSON.
     *
     * @param json the object written by {@link #toJson()}
     * @return the spec
     */
    public static FeatureSpec fromJson(JsonObject json) {
        List<Column> columns = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("columns")) {
            JsonObject o = e.getAsJsonObject();
            String name = o.get("name").getAsString();
            String type = o.get("type").getAsString();
            if ("categorical".equals(type)) {
                List<String> levels = new ArrayList<>();
                o.getAsJsonArray("levels").forEach(l -> levels.add(l.getAsString()));
                columns.add(categorical(name, levels));
            } else if ("numeric".equals(type)) {
                double std = o.get("std").getAsDouble();
                if (!(std > 0)) {
                    throw new IllegalArgumentException("feature spec column '" + name + "' has std " + std);
                }
                boolean log = o.has("transform") && "log1p".equals(o.get("transform").getAsString());
                if (o.has("transform") && !log) {
                    throw new IllegalArgumentException("feature spec column '" + name + "' has transform '"
                            + o.get("transform").getAsString() + "': only \"log1p\" is known");
                }
                columns.add(new Column(name, false, log, o.get("mean").getAsDouble(), std,
                        o.has("missing_indicator") && o.get("missing_indicator").getAsBoolean(), List.of(), Map.of()));
            } else {
                throw new IllegalArgumentException("feature spec column '" + name + "' has type '" + type
                        + "': use \"numeric\" or \"categorical\"");
            }
        }
        return new FeatureSpec(columns);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FeatureSpec s && toJson().equals(s.toJson());
    }

    @Override
    public int hashCode() {
        return toJson().hashCode();
    }
}
