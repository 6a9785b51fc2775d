package io.propensitykit.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.propensitykit.SharedSpark;
import io.propensitykit.model.Fixtures;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

import java.util.List;

/** Two SparkSessions, one after the other in one JVM, both scoring: DJL stays on the JVM class path. */
class TwoSessionsTest {

    private static double scoreFirstRow(SparkSession spark) {
        PropensityModel model = Propensity.load(spark, Fixtures.torchScript().toString());
        Dataset<Row> one = spark.createDataFrame(List.of(new Customer(10, 2, 50, 12)), Customer.class);
        return Propensity.score(one, model).first().getAs("propensity");
    }

    @Test
    void secondSessionScoresAfterTheFirstStops() {
        double expected = PropensityModel.load(Fixtures.torchScript().toString()).predict(new double[] {10, 2, 50, 12})[0];
        SparkSession first = SharedSpark.newSession();
        assertEquals(expected, scoreFirstRow(first), 1e-6);
        first.stop();

        SparkSession second = SharedSpark.newSession();
        assertEquals(expected, scoreFirstRow(second), 1e-6);
        ModelRuntime.clear(); // the model loads again, in the same JVM, for the second session
        assertEquals(expected, scoreFirstRow(second), 1e-6);
        assertEquals(1, ModelRuntime.loaded());
        second.stop();
    }

    @AfterAll
    static void clearSessions() {
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }

    /** A bean for createDataFrame. */
    public static final class Customer implements java.io.Serializable {
        private double recency;
        private double frequency;
        private double monetary;
        private double tenure;

        public Customer() {}

        Customer(double recency, double frequency, double monetary, double tenure) {
            this.recency = recency;
            this.frequency = frequency;
            this.monetary = monetary;
            this.tenure = tenure;
        }

        public double getRecency() { return recency; }
        public void setRecency(double v) { recency = v; }
        public double getFrequency() { return frequency; }
        public void setFrequency(double v) { frequency = v; }
        public double getMonetary() { return monetary; }
        public void setMonetary(double v) { monetary = v; }
        public double getTenure() { return tenure; }
        public void setTenure(double v) { tenure = v; }
    }
}
