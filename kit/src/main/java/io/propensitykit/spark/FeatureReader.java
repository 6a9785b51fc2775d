package io.propensitykit.spark;

import io.propensitykit.model.FeatureBatch;
import io.propensitykit.model.FeatureSpec;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.util.ArrayData;
import org.apache.spark.sql.internal.SQLConf;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.ByteType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DecimalType;
import org.apache.spark.sql.types.DoubleType;
import org.apache.spark.sql.types.FloatType;
import org.apache.spark.sql.types.IntegerType;
import org.apache.spark.sql.types.LongType;
import org.apache.spark.sql.types.ShortType;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a row's features straight from Spark's {@link InternalRow} into a {@link FeatureBatch},
 * either from one numeric column per feature or from one numeric array column. Types are checked
 * on the driver, where a non-numeric column fails before any task runs.
 */
final class FeatureReader implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Returned by {@link #read} for a row that went into the batch. */
    static final int VALID = -1;
    /** Returned by {@link #read} for an array of the wrong width. */
    static final int WRONG_WIDTH = -2;

    private enum Kind { BYTE, SHORT, INT, LONG, FLOAT, DOUBLE, DECIMAL, STRING, BOOLEAN }

    private final String[] names;
    private final int[] ordinals;
    private final Kind[] kinds;
    private final int[] precision;
    private final int[] scale;
    private final int arrayOrdinal;
    private final Kind arrayKind;
    private final int width;
    private final FeatureSpec spec;

    private FeatureReader(FeatureSpec spec, String[] names, int[] ordinals, Kind[] kinds, int[] precision,
            int[] scale, int arrayOrdinal, Kind arrayKind, int width) {
        this.names = names;
        this.ordinals = ordinals;
        this.kinds = kinds;
        this.precision = precision;
        this.scale = scale;
        this.arrayOrdinal = arrayOrdinal;
        this.arrayKind = arrayKind;
        this.width = width;
        this.spec = spec;
    }

    /**
     * Reads one column per feature. {@code inputCols} may rename the metadata's features; by default
     * each feature is looked up by its metadata name.
     */
    static FeatureReader columns(StructType schema, PropensityModel model, List<String> inputCols) {
        List<String> features = model.features();
        List<String> cols = inputCols == null ? features : inputCols;
        if (cols.size() != features.size()) {
            throw new IllegalArgumentException("inputCols has " + cols.size() + " columns " + cols + " but model '"
                    + model.metadata().name() + "' takes " + features.size() + " features " + features);
        }
        int n = cols.size();
        int[] ordinals = new int[n];
        Kind[] kinds = new Kind[n];
        int[] precision = new int[n];
        int[] scale = new int[n];
        List<String> missing = new ArrayList<>();
        for (int j = 0; j < n; j++) {
            int ordinal = find(schema, cols.get(j));
            if (ordinal < 0) {
                missing.add(cols.get(j));
                continue;
            }
            StructField field = schema.fields()[ordinal];
            ordinals[j] = ordinal;
            FeatureSpec spec = model.metadata().spec();
            if (spec != null && spec.isCategorical(j) && field.dataType() instanceof StringType) {
                kinds[j] = Kind.STRING;
            } else if (spec != null && spec.isCategorical(j) && field.dataType() instanceof BooleanType) {
                kinds[j] = Kind.BOOLEAN;
            } else {
                kinds[j] = kindOf(field.dataType(), field.name());
            }
            if (field.dataType() instanceof DecimalType d) {
                precision[j] = d.precision();
                scale[j] = d.scale();
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("Model '" + model.metadata().name() + "' needs feature column(s) "
                    + missing + ", which the DataFrame lacks. Its columns are " + List.of(schema.fieldNames())
                    + ". Rename them, or map them with inputCols (in the model's order " + features + ").");
        }
        return new FeatureReader(model.metadata().spec(), cols.toArray(new String[0]), ordinals, kinds,
                precision, scale, -1, null, n);
    }

    /** Reads all features from one array column, which must hold exactly as many numbers as the model takes. */
    static FeatureReader array(StructType schema, PropensityModel model, String featuresCol) {
        int ordinal = find(schema, featuresCol);
        if (ordinal < 0) {
            throw new IllegalArgumentException("featuresCol '" + featuresCol + "' is not a column of the DataFrame: "
                    + List.of(schema.fieldNames()));
        }
        StructField field = schema.fields()[ordinal];
        if (!(field.dataType() instanceof ArrayType array)) {
            String hint = field.dataType().typeName().equals("vector")
                    ? " For an ML Vector use org.apache.spark.ml.functions.vector_to_array(col) first." : "";
            throw new IllegalArgumentException("featuresCol '" + field.name() + "' has type "
                    + field.dataType().simpleString() + "; it must be an array of numbers." + hint);
        }
        if (model.metadata().spec() != null) {
            throw new IllegalArgumentException("Model '" + model.metadata().name() + "' encodes its raw columns "
                    + model.features() + " with a feature spec; give them as columns, not as one array column.");
        }
        Kind kind = kindOf(array.elementType(), field.name() + " (its elements)");
        if (kind == Kind.DECIMAL) {
            throw new IllegalArgumentException("featuresCol '" + field.name() + "' holds decimals; cast it to"
                    + " array<double> first.");
        }
        return new FeatureReader(null, new String[] {field.name()}, null, null, null, null,
                ordinal, kind, model.metadata().featureCount());
    }

    /**
     * The ordinal of a column, resolved as Spark resolves names (case-insensitively unless
     * {@code spark.sql.caseSensitive} is set), or -1. Two matches are an error, never a guess.
     */
    static int find(StructType schema, String name) {
        boolean caseSensitive = SQLConf.get().caseSensitiveAnalysis();
        String[] fields = schema.fieldNames();
        List<Integer> matches = new ArrayList<>();
        for (int i = 0; i < fields.length; i++) {
            if (caseSensitive ? fields[i].equals(name) : fields[i].equalsIgnoreCase(name)) {
                matches.add(i);
            }
        }
        if (matches.size() > 1) {
            List<String> found = matches.stream().map(i -> fields[i]).toList();
            throw new IllegalArgumentException("Column '" + name + "' is ambiguous: the DataFrame has " + matches.size()
                    + " columns that match it, " + found + (new java.util.HashSet<>(found).size() < found.size()
                            ? " (a join keeps both sides' columns)" : " (names are matched without case)")
                    + ". Drop or rename all but one before scoring, for example with withColumnRenamed.");
        }
        return matches.isEmpty() ? -1 : matches.get(0);
    }

    private static Kind kindOf(DataType type, String column) {
        if (type instanceof DoubleType) {
            return Kind.DOUBLE;
        } else if (type instanceof FloatType) {
            return Kind.FLOAT;
        } else if (type instanceof IntegerType) {
            return Kind.INT;
        } else if (type instanceof LongType) {
            return Kind.LONG;
        } else if (type instanceof ShortType) {
            return Kind.SHORT;
        } else if (type instanceof ByteType) {
            return Kind.BYTE;
        } else if (type instanceof DecimalType) {
            return Kind.DECIMAL;
        }
        throw new IllegalArgumentException("Feature column '" + column + "' has type " + type.simpleString()
                + ", not a number. Cast it (for example col(\"" + column + "\").cast(\"double\")), or encode it"
                + " as numbers before scoring.");
    }

    /** @return the number of features per row */
    int width() {
        return width;
    }

    /**
     * Puts the row's features into the batch's current row.
     *
     * @return {@link #VALID} when the row is usable (the caller then ends the row), {@link #WRONG_WIDTH}
     *     for an array of the wrong size, or the index of the first null, NaN or infinite feature
     */
    int read(InternalRow row, FeatureBatch batch) {
        if (ordinals == null) {
            return readArray(row, batch);
        }
        if (spec != null) {
            return readEncoded(row, batch);
        }
        for (int j = 0; j < width; j++) {
            if (row.isNullAt(ordinals[j])) {
                return j;
            }
            if (!batch.set(j, columnValue(row, j))) {
                return j;
            }
        }
        return VALID;
    }

    /** Raw columns through the model's feature spec: nulls imputed or bucketed as at training time. */
    private int readEncoded(InternalRow row, FeatureBatch batch) {
        for (int j = 0; j < width; j++) {
            int ordinal = ordinals[j];
            boolean ok;
            if (row.isNullAt(ordinal)) {
                ok = spec.encodeNull(j, batch);
            } else if (kinds[j] == Kind.STRING) {
                ok = spec.encode(j, row.getUTF8String(ordinal).toString(), batch);
            } else if (kinds[j] == Kind.BOOLEAN) {
                ok = spec.encode(j, String.valueOf(row.getBoolean(ordinal)), batch);
            } else {
                ok = spec.encode(j, columnValue(row, j), batch);
            }
            if (!ok) {
                return j;
            }
        }
        return VALID;
    }

    private int readArray(InternalRow row, FeatureBatch batch) {
        if (row.isNullAt(arrayOrdinal)) {
            return 0;
        }
        ArrayData array = row.getArray(arrayOrdinal);
        if (array.numElements() != width) {
            return WRONG_WIDTH;
        }
        for (int j = 0; j < width; j++) {
            if (array.isNullAt(j)) {
                return j;
            }
            if (!batch.set(j, elementValue(array, j))) {
                return j;
            }
        }
        return VALID;
    }

    private double columnValue(InternalRow row, int j) {
        int ordinal = ordinals[j];
        return switch (kinds[j]) {
            case DOUBLE -> row.getDouble(ordinal);
            case FLOAT -> row.getFloat(ordinal);
            case INT -> row.getInt(ordinal);
            case LONG -> row.getLong(ordinal);
            case SHORT -> row.getShort(ordinal);
            case BYTE -> row.getByte(ordinal);
            case DECIMAL -> row.getDecimal(ordinal, precision[j], scale[j]).toDouble();
            case STRING, BOOLEAN -> throw new IllegalStateException("text columns are read by readEncoded");
        };
    }

    private double elementValue(ArrayData array, int j) {
        return switch (arrayKind) {
            case DOUBLE -> array.getDouble(j);
            case FLOAT -> array.getFloat(j);
            case INT -> array.getInt(j);
            case LONG -> array.getLong(j);
            case SHORT -> array.getShort(j);
            case BYTE -> array.getByte(j);
            case DECIMAL, STRING, BOOLEAN -> throw new IllegalStateException("rejected on the driver");
        };
    }

    /** Describes why {@link #read} rejected a row, naming the column and the value. */
    String describe(InternalRow row, int problem) {
        if (ordinals == null) {
            if (row.isNullAt(arrayOrdinal)) {
                return "column '" + names[0] + "' is null";
            }
            ArrayData array = row.getArray(arrayOrdinal);
            if (problem == WRONG_WIDTH) {
                return "column '" + names[0] + "' holds " + array.numElements() + " values, not " + width;
            }
            return "column '" + names[0] + "' element " + problem + " is "
                    + (array.isNullAt(problem) ? "null" : number(elementValue(array, problem)));
        }
        String value = row.isNullAt(ordinals[problem]) ? "null"
                : kinds[problem] == Kind.STRING ? row.getUTF8String(ordinals[problem]).toString()
                : kinds[problem] == Kind.BOOLEAN ? String.valueOf(row.getBoolean(ordinals[problem]))
                : number(columnValue(row, problem));
        return "column '" + names[problem] + "' is " + value;
    }

    /** A rejected number, with the reason when it is finite: too large for the model's float input. */
    private static String number(double v) {
        return Double.isFinite(v) ? v + ", which overflows the model's float32 input once standardized" : String.valueOf(v);
    }
}
