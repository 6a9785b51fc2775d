package io.propensitykit.bench;

import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.vectorized.ColumnVector;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import java.util.Iterator;
import java.util.List;

/**
 * The columnar bound: the same Parquet scan's column vectors, every feature value read with the
 * vectors' own getters in a tight loop, no row made. {@code kit bench} reports it as
 * {@code columnar_scan}; the batched scorer reads a plain scan the same way, and must also hand
 * back every row.
 */
final class ColumnarScan {

    private ColumnarScan() {}

    /**
     * Sums every feature value of a plain columnar read.
     *
     * @param df a DataFrame that is a Parquet or ORC read and nothing more
     * @param features float columns
     * @return the sum, so that no read can be skipped
     */
    static double sum(Dataset<Row> df, List<String> features) {
        SparkPlan scan = df.queryExecution().executedPlan();
        while (!scan.supportsColumnar()) {
            if (scan.children().size() != 1) {
                throw new IllegalArgumentException("columnar_scan needs a plain Parquet or ORC read; the plan is "
                        + df.queryExecution().executedPlan().simpleString(10));
            }
            scan = scan.children().head();
        }
        int[] ordinals = RowPass.floatOrdinals(scan.schema(), features, "columnar_scan");
        return scan.executeColumnar().toJavaRDD().mapPartitions(new Sum(ordinals)).reduce(Double::sum);
    }

    private static final class Sum implements FlatMapFunction<Iterator<ColumnarBatch>, Double> {
        private static final long serialVersionUID = 1L;
        private final int[] ordinals;

        Sum(int[] ordinals) {
            this.ordinals = ordinals;
        }

        @Override
        public Iterator<Double> call(Iterator<ColumnarBatch> batches) {
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
            return List.of(sum).iterator();
        }
    }
}
