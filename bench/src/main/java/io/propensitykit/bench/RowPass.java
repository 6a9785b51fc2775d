package io.propensitykit.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import java.util.Iterator;
import java.util.List;

/**
 * The batched scorer's plan with the model replaced by a constant: each row's float feature
 * columns are read by ordinal from Spark's internal rows, as the scorer reads them, and the row is
 * handed back with one more column. What this costs is what Spark costs to feed any scorer;
 * {@code kit bench} reports it as {@code row_pass}.
 */
final class RowPass {

    private RowPass() {}

    static Dataset<Row> of(Dataset<Row> df, List<String> features, String outputCol) {
        StructType schema = df.schema();
        int[] ordinals = floatOrdinals(schema, features, "row_pass");
        JavaRDD<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD().mapPartitions(new Pass(ordinals));
        SparkSession spark = df.sparkSession();
        return spark.internalCreateDataFrame(rows.rdd(), schema.add(outputCol, DataTypes.DoubleType, false), false);
    }

    /**
     * The ordinals of the feature columns in {@code schema}, each checked to be a float, as the
     * benchmark's data has them.
     *
     * @param method the method that reads them, for the message
     */
    static int[] floatOrdinals(StructType schema, List<String> features, String method) {
        int[] ordinals = new int[features.size()];
        for (int j = 0; j < ordinals.length; j++) {
            ordinals[j] = schema.fieldIndex(features.get(j));
            if (schema.fields()[ordinals[j]].dataType() != DataTypes.FloatType) {
                throw new IllegalArgumentException(method + " reads float columns; '" + features.get(j) + "' is "
                        + schema.fields()[ordinals[j]].dataType().simpleString());
            }
        }
        return ordinals;
    }

    private static final class Pass implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
        private static final long serialVersionUID = 1L;
        private final int[] ordinals;

        Pass(int[] ordinals) {
            this.ordinals = ordinals;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<InternalRow> input) {
            JoinedRow joined = new JoinedRow();
            GenericInternalRow constant = new GenericInternalRow(1);
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return input.hasNext();
                }

                @Override
                public InternalRow next() {
                    InternalRow row = input.next();
                    double read = 0;
                    for (int ordinal : ordinals) {
                        read += row.isNullAt(ordinal) ? 0 : row.getFloat(ordinal);
                    }
                    // The values read decide the output, so that no read can be optimized away.
                    constant.setDouble(0, read == Double.MAX_VALUE ? 0 : 0.5);
                    return joined.apply(row, constant);
                }
            };
        }
    }
}
