package io.propensitykit.metrics;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;

import tech.tablesaw.api.Table;

/** Reads score and label columns for the metrics, with errors that name the column and the value. */
final class ScoreLabels {

    private ScoreLabels() {}

    static double[] scores(Table table, String col) {
        var column = table.numberColumn(col);
        double[] out = new double[table.rowCount()];
        for (int i = 0; i < out.length; i++) {
            if (column.isMissing(i)) {
                throw new IllegalArgumentException("Column '" + col + "' is missing in row " + i);
            }
            out[i] = column.getDouble(i);
        }
        return out;
    }

    static boolean[] labels(Table table, String col) {
        var column = table.column(col);
        boolean[] out = new boolean[table.rowCount()];
        for (int i = 0; i < out.length; i++) {
            Object v = column.isMissing(i) ? null : column.get(i);
            if (v instanceof Boolean b) {
                out[i] = b;
            } else if (v instanceof Number n && (n.doubleValue() == 0 || n.doubleValue() == 1)) {
                out[i] = n.doubleValue() == 1;
            } else {
                throw new IllegalArgumentException("Label '" + col + "' must be 0/1 or boolean; row " + i + " holds " + v);
            }
        }
        return out;
    }

    /** The label as a double column, after checking on the driver that it is numeric or boolean. */
    static Column label(Dataset<?> df, String col) {
        DataType type = df.schema().apply(col).dataType();
        if (!(type instanceof NumericType) && !(type instanceof BooleanType)) {
            throw new IllegalArgumentException("Label '" + col + "' has type " + type.simpleString()
                    + "; it must be 0/1 or boolean.");
        }
        long bad = df.where(functions.col(col).cast("double").isin(0.0, 1.0).unary_$bang()).count();
        if (bad > 0) {
            throw new IllegalArgumentException("Label '" + col + "' must be 0 or 1; " + bad + " rows hold other values.");
        }
        return functions.col(col).cast("double");
    }
}
