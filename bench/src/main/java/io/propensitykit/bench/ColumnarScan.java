package io.propensitykit.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import java.util.Iterator;
import java.util.List;

/**
 * The columnar bound: the same Parquet scan of the feature columns, every value read with the
 * vectors' own getters in a tight loop, no row made. It runs as the batched scorer's query does:
 * a DataFrame (one row per partition, its sum) that the benchmark aggregates like every method,
 * so that both pay Spark's cost of a query (planning, two stages) and the ratio measures the
 * scorer, not that cost. {@code kit bench} reports it as {@code columnar_scan}.
 */
final class ColumnarScan {

    private ColumnarScan() {}

    /**
     * Every feature value of a plain columnar read, summed per partition.
     *
     * @param df a DataFrame that is a Parquet or ORC read and nothing more
     * @param features float columns
     * @return one row per partition with its sum in column {@code read}, so that no read can be skipped
     */
    static Dataset<Row> of(Dataset<Row> df, List<String> features) {
        Dataset<Row> read = df.select(features.stream().map(functions::col).toArray(Column[]::new));
        SparkPlan scan = read.queryExecution().executedPlan();
        while (!scan.supportsColumnar()) {
            if (scan.children().size() != 1) {
                throw new IllegalArgumentException("columnar_scan needs a plain Parquet or ORC read; the plan is "
                        + read.queryExecution().executedPlan().simpleString(10));
            }
            scan = scan.children().head();
        }
        int[] ordinals = RowPass.floatOrdinals(scan.schema(), features, "columnar_scan");
        JavaRDD<InternalRow> sums = scan.executeColumnar().toJavaRDD().mapPartitions(new Sum(ordinals));
        return df.sparkSession().internalCreateDataFrame(sums.rdd(),
                new StructType().add("read", DataTypes.DoubleType, false), false);
    }

    private static final class Sum implements FlatMapFunction<Iterator<ColumnarBatch>, InternalRow> {
        private static final long serialVersionUID = 1L;
        private final int[] ordinals;

        Sum(int[] ordinals) {
            this.ordinals = ordinals;
        }

        @Override
        public Iterator<InternalRow> call(Iterator<ColumnarBatch> batches) {
            double sum = 0;
            while (batches.hasNext()) {
                ColumnarBatch batch = batches.next();
                int n = batch.numRows();
                for (int ordinal : ordinals) {
                    ColumnVector v = batch.column(ordinal);
                    boolean nulls = v.hasNull();
                    for (int i = 0; i < n; i++) {
                        sum += nulls && v.isNullAt(i) ? 0 : v.getFloat(i);
                    }
                }
            }
            return List.<InternalRow>of(new GenericInternalRow(new Object[] {sum})).iterator();
        }
    }
}
