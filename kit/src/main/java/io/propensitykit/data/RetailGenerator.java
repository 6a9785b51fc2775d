package io.propensitykit.data;

import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Synthetic retail customers whose answers are known: each row carries the true purchase
 * propensity, the true (confounded) probability of receiving the e-mail campaign, and the true
 * effect of the campaign on that customer.
 *
 * <pre>{@code
 * Dataset<Row> customers = RetailGenerator.builder().optRows(1_000_000).optSeed(7).build().generate(spark);
 * Table small = RetailGenerator.builder().optRows(10_000).build().table();
 * }</pre>
 *
 * <p>Every value of a row is a function of the seed and the row's {@code customer_id} only, so the
 * same seed and row count give the same rows however Spark partitions the work.
 *
 * <p>The purchase propensity is non-linear on purpose (thresholds on recency, an interaction of
 * channel and e-mail engagement, one of device and tenure, an either-or of past categories, a
 * saturating spend term), so a small MLP can beat a logistic regression on the raw features. Treatment is assigned from observed features
 * (engaged customers get the e-mail more often), scaled by {@code confounding}; its effect on the
 * purchase logit is {@code effectSize}, larger for engaged and web customers, smaller for lapsed ones.
 */
public final class RetailGenerator implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Feature columns, in order: what a model may use. */
    public static final List<String> FEATURES = List.of("tenure_months", "channel", "region", "device",
            "recency_days", "frequency", "monetary", "email_open_rate", "past_electronics", "past_fashion",
            "past_home");
    /** The numeric features, for a trainer's {@code setNumeric}. */
    public static final List<String> NUMERIC_FEATURES = List.of("tenure_months", "recency_days", "frequency",
            "monetary", "email_open_rate", "past_electronics", "past_fashion", "past_home");
    /** The categorical features, for a trainer's {@code setCategorical}. */
    public static final List<String> CATEGORICAL_FEATURES = List.of("channel", "region", "device");
    /** The skewed, non-negative numeric features, for a trainer's {@code optLogTransform}. */
    public static final List<String> SKEWED_FEATURES = List.of("tenure_months", "recency_days", "frequency",
            "monetary");
    /** The campaign: 1 when the customer was sent the e-mail. */
    public static final String TREATMENT = "treated";
    /** The outcome: 1 when the customer purchased in the following weeks. */
    public static final String OUTCOME = "purchased";
    /** Ground truth, never to be used as features: P(purchase | x), P(treated | x), and the campaign's effect. */
    public static final List<String> TRUTH = List.of("true_propensity", "true_treatment_propensity", "true_effect");

    private static final String[] CHANNELS = {"web", "store", "app"};
    private static final String[] REGIONS = {"north", "south", "east", "west"};
    private static final String[] DEVICES = {"desktop", "mobile", "tablet"};
    private static final int CALIBRATION_ROWS = 20_000;

    private final long rows;
    private final long seed;
    private final double baseRate;
    private final double treatedRate;
    private final double confounding;
    private final double effectSize;
    private final int partitions;
    private final double outcomeIntercept;
    private final double treatmentIntercept;

    private RetailGenerator(Builder b) {
        this.rows = b.rows;
        this.seed = b.seed;
        this.baseRate = b.baseRate;
        this.treatedRate = b.treatedRate;
        this.confounding = b.confounding;
        this.effectSize = b.effectSize;
        this.partitions = b.partitions;
        // Intercepts are solved on a fixed sample so that the rates come out as configured.
        Customer[] sample = new Customer[CALIBRATION_ROWS];
        for (int i = 0; i < sample.length; i++) {
            sample[i] = Customer.draw(seed, i * 7919L + 13);
        }
        this.treatmentIntercept = solve(a -> meanTreatment(sample, a), treatedRate);
        this.outcomeIntercept = solve(c -> meanPropensity(sample, c), baseRate);
    }

    /**
     * Starts a builder with the defaults: 100,000 rows, seed 42, base rate 0.10, treated rate 0.4,
     * confounding 1, effect size 0.4.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the schema of the generated rows: id, features, treatment, outcome, then truth */
    public static StructType schema() {
        return new StructType()
                .add("customer_id", DataTypes.LongType, false)
                .add("tenure_months", DataTypes.IntegerType, false)
                .add("channel", DataTypes.StringType, false)
                .add("region", DataTypes.StringType, true)
                .add("device", DataTypes.StringType, false)
                .add("recency_days", DataTypes.IntegerType, false)
                .add("frequency", DataTypes.IntegerType, false)
                .add("monetary", DataTypes.DoubleType, false)
                .add("email_open_rate", DataTypes.DoubleType, true)
                .add("past_electronics", DataTypes.IntegerType, false)
                .add("past_fashion", DataTypes.IntegerType, false)
                .add("past_home", DataTypes.IntegerType, false)
                .add(TREATMENT, DataTypes.IntegerType, false)
                .add(OUTCOME, DataTypes.IntegerType, false)
                .add("true_propensity", DataTypes.DoubleType, false)
                .add("true_treatment_propensity", DataTypes.DoubleType, false)
                .add("true_effect", DataTypes.DoubleType, false);
    }

    /**
     * The customers the notes share: generated with the defaults, cached, and registered as the
     * view {@code customers} for {@code %sql}.
     *
     * <pre>{@code val customers = RetailGenerator.demo(spark, rows, seed)}</pre>
     *
     * @param spark the session
     * @param rows the number of customers
     * @param seed the seed
     * @return the cached customers
     */
    public static Dataset<Row> demo(SparkSession spark, long rows, long seed) {
        return demo(spark, builder().optRows(rows).optSeed(seed).build());
    }

    /**
     * The notes' customers with the e-mail's confounding set (note 06's observational campaign).
     *
     * @param spark the session
     * @param rows the number of customers
     * @param seed the seed
     * @param confounding the strength of selection into the e-mail on engagement
     * @return the cached customers, also the view {@code customers}
     */
    public static Dataset<Row> demo(SparkSession spark, long rows, long seed, double confounding) {
        return demo(spark, builder().optRows(rows).optSeed(seed).optConfounding(confounding).build());
    }

    private static Dataset<Row> demo(SparkSession spark, RetailGenerator generator) {
        Dataset<Row> customers = generator.generate(spark).cache();
        customers.createOrReplaceTempView("customers");
        return customers;
    }

    /**
     * Generates the rows as a Spark DataFrame, in parallel; nothing is collected to the driver.
     *
     * @param spark the session
     * @return {@code rows} customers
     */
    public Dataset<Row> generate(SparkSession spark) {
        int parts = partitions > 0 ? partitions : spark.sparkContext().defaultParallelism();
        RetailGenerator self = this;
        MapPartitionsFunction<Long, Row> toRows = ids -> new Iterator<>() {
            @Override
            public boolean hasNext() {
                return ids.hasNext();
            }

            @Override
            public Row next() {
                return RowFactory.create(self.row(ids.next()));
            }
        };
        return spark.range(0, rows, 1, parts).mapPartitions(toRows, Encoders.row(schema()));
    }

    /**
     * Generates the rows as a Tablesaw table, for small data on one machine; the values equal
     * {@link #generate}'s.
     *
     * @return the table
     */
    public Table table() {
        if (rows > 2_000_000) {
            throw new IllegalArgumentException("table() holds the rows in memory; " + rows
                    + " rows is too many. Use generate(spark) for more than 2,000,000 rows.");
        }
        StructType schema = schema();
        List<tech.tablesaw.columns.Column<?>> columns = new ArrayList<>();
        for (var field : schema.fields()) {
            if (field.dataType() == DataTypes.LongType) {
                columns.add(LongColumn.create(field.name()));
            } else if (field.dataType() == DataTypes.IntegerType) {
                columns.add(IntColumn.create(field.name()));
            } else if (field.dataType() == DataTypes.DoubleType) {
                columns.add(DoubleColumn.create(field.name()));
            } else {
                columns.add(StringColumn.create(field.name()));
            }
        }
        for (long id = 0; id < rows; id++) {
            Object[] values = row(id);
            for (int c = 0; c < values.length; c++) {
                tech.tablesaw.columns.Column<?> column = columns.get(c);
                if (values[c] == null) {
                    column.appendMissing();
                } else if (column instanceof LongColumn l) {
                    l.append((Long) values[c]);
                } else if (column instanceof IntColumn i) {
                    i.append((Integer) values[c]);
                } else if (column instanceof DoubleColumn d) {
                    d.append((Double) values[c]);
                } else {
                    ((StringColumn) column).append((String) values[c]);
                }
            }
        }
        return Table.create("retail_customers", columns);
    }

    /** One customer's values, in {@link #schema()} order; a pure function of the seed and the id. */
    Object[] row(long id) {
        Customer c = Customer.draw(seed, id);
        double e = Customer.sigmoid(treatmentIntercept + confounding * c.targeting);
        double p0 = Customer.sigmoid(outcomeIntercept + c.outcomeScore);
        double p1 = Customer.sigmoid(outcomeIntercept + c.outcomeScore + effectSize * c.effectModifier);
        int treated = c.uTreat < e ? 1 : 0;
        int purchased = c.uOutcome < (treated == 1 ? p1 : p0) ? 1 : 0;
        return new Object[] {id, c.tenure, CHANNELS[c.channel], c.region < 0 ? null : REGIONS[c.region],
            DEVICES[c.device], c.recency, c.frequency, c.monetary, Double.isNaN(c.openRate) ? null : c.openRate,
            c.electronics, c.fashion, c.home, treated, purchased, (1 - e) * p0 + e * p1, e, p1 - p0};
    }

    private double meanTreatment(Customer[] sample, double intercept) {
        double s = 0;
        for (Customer c : sample) {
            s += Customer.sigmoid(intercept + confounding * c.targeting);
        }
        return s / sample.length;
    }

    private double meanPropensity(Customer[] sample, double intercept) {
        double s = 0;
        for (Customer c : sample) {
            double e = Customer.sigmoid(treatmentIntercept + confounding * c.targeting);
            double p0 = Customer.sigmoid(intercept + c.outcomeScore);
            double p1 = Customer.sigmoid(intercept + c.outcomeScore + effectSize * c.effectModifier);
            s += (1 - e) * p0 + e * p1;
        }
        return s / sample.length;
    }

    /** Bisection for the intercept whose mean rate is {@code target}; rates rise with the intercept. */
    private static double solve(java.util.function.DoubleUnaryOperator rate, double target) {
        double lo = -30;
        double hi = 30;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (rate.applyAsDouble(mid) < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    /** @return the number of rows */
    public long rows() {
        return rows;
    }

    /** @return the seed */
    public long seed() {
        return seed;
    }

    /** Builds a {@link RetailGenerator}; every setting is optional. */
    public static final class Builder {
        private long rows = 100_000;
        private long seed = 42;
        private double baseRate = 0.10;
        private double treatedRate = 0.4;
        private double confounding = 1.0;
        private double effectSize = 0.4;
        private int partitions;

        private Builder() {}

        /**
         * @param n the number of customers (default 100,000)
         * @return this builder
         */
        public Builder optRows(long n) {
            this.rows = n;
            return this;
        }

        /**
         * @param s the seed; the same seed and row count give the same rows (default 42)
         * @return this builder
         */
        public Builder optSeed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * @param rate the share of customers who purchase, in (0, 1) (default 0.10)
         * @return this builder
         */
        public Builder optBaseRate(double rate) {
            this.baseRate = rate;
            return this;
        }

        /**
         * @param rate the share of customers who get the e-mail, in (0, 1) (default 0.4)
         * @return this builder
         */
        public Builder optTreatedRate(double rate) {
            this.treatedRate = rate;
            return this;
        }

        /**
         * @param strength how strongly targeting follows the observed features; 0 is a randomized test (default 1)
         * @return this builder
         */
        public Builder optConfounding(double strength) {
            this.confounding = strength;
            return this;
        }

        /**
         * @param size the campaign's average effect on the purchase logit; 0 for none (default 0.4)
         * @return this builder
         */
        public Builder optEffectSize(double size) {
            this.effectSize = size;
            return this;
        }

        /**
         * @param n Spark partitions for {@link #generate}; 0 uses the default parallelism
         * @return this builder
         */
        public Builder optPartitions(int n) {
            this.partitions = n;
            return this;
        }

        /**
         * Validates and builds; solves the intercepts for the configured rates.
         *
         * @return the generator
         */
        public RetailGenerator build() {
            if (rows < 0) {
                throw new IllegalArgumentException("rows must be >= 0, found " + rows);
            }
            if (!(baseRate > 0 && baseRate < 1)) {
                throw new IllegalArgumentException("baseRate must be in (0, 1), found " + baseRate);
            }
            if (!(treatedRate > 0 && treatedRate < 1)) {
                throw new IllegalArgumentException("treatedRate must be in (0, 1), found " + treatedRate);
            }
            if (!(confounding >= 0) || !Double.isFinite(confounding)) {
                throw new IllegalArgumentException("confounding must be >= 0, found " + confounding);
            }
            if (!Double.isFinite(effectSize)) {
                throw new IllegalArgumentException("effectSize must be finite, found " + effectSize);
            }
            if (partitions < 0) {
                throw new IllegalArgumentException("partitions must be >= 0, found " + partitions);
            }
            return new RetailGenerator(this);
        }
    }
}
