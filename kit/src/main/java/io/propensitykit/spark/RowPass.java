package io.propensitykit.spark;

import io.propensitykit.model.PropensityModel;

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

/**
 * The batched scorer's plan with the model replaced by a constant: each row's feature columns are
 * read as the scorer reads them, and the row is handed back with one more column. What this costs
 * is what Spark costs to feed any scorer; {@code kit bench} reports it as {@code row_pass}.
 */
final class RowPass {

    private RowPass() {}

    static Dataset<Row> of(Dataset<Row> df, PropensityModel model, String outputCol) {
        StructType schema = df.schema();
        FeatureReader reader = FeatureReader.columns(schema, model.metadata(), null);
        JavaRDD<InternalRow> rows = df.queryExecution().toRdd().toJavaRDD().mapPartitions(new Pass(reader));
        SparkSession spark = df.sparkSession();
        return spark.internalCreateDataFrame(rows.rdd(), schema.add(outputCol, DataTypes.DoubleType, false), false);
    }

    private static final class Pass implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {
        private static final long serialVersionUID = 1L;
        private final FeatureReader reader;

        Pass(FeatureReader reader) {
            this.reader = reader;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<InternalRow> input) {
            FeatureReader.Cursor cursor = reader.cursor();
            int width = reader.width();
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
                    cursor.at(row);
                    double read = 0;
                    for (int j = 0; j < width; j++) {
                        read += cursor.isNull(j) ? 0 : cursor.number(j);
                    }
                    // The values read decide the output, so that no read can be optimized away.
                    constant.setDouble(0, read == Double.MAX_VALUE ? 0 : 0.5);
                    return joined.apply(row, constant);
                }
            };
        }
    }
}
