package io.propensitykit.causal;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.NumericType;

/** Column checks shared by the causal tools: a 0/1 treatment or outcome, numeric covariates. */
final class Columns {

    private Columns() {}

    /** The column as 0.0/1.0, after checking its type on the driver and its values in one pass. */
    static Column binary(Dataset<?> df, String col) {
        DataType type = df.schema().apply(col).dataType();
        if (!(type instanceof NumericType) && !(type instanceof BooleanType)) {
            throw new IllegalArgumentException("Column '" + col + "' has type " + type.simpleString()
                    + "; it must be 0/1 or boolean.");
        }
        long bad = df.where(functions.col(col).cast("double").isin(0.0, 1.0).unary_$bang()
                .or(functions.col(col).isNull())).count();
        if (bad > 0) {
            throw new IllegalArgumentException("Column '" + col + "' must be 0 or 1 in every row; " + bad
                    + " rows hold something else or null.");
        }
        return functions.col(col).cast("double");
    }

    /** The column as a double, after checking it is numeric or boolean. */
    static Column numeric(Dataset<?> df, String col) {
        DataType type = df.schema().apply(col).dataType();
        if (!(type instanceof NumericType) && !(type instanceof BooleanType)) {
            throw new IllegalArgumentException("Covariate '" + col + "' has type " + type.simpleString()
                    + "; it must be numeric (one-hot encode categories first).");
        }
        return functions.col(col).cast("double");
    }
}
