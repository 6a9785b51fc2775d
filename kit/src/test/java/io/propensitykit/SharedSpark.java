package io.propensitykit;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One local[2] SparkSession per test class, stopped when the class is done (Spark's SharedSparkSession). */
public abstract class SharedSpark {

    /** The class's session. */
    protected static SparkSession spark;

    @BeforeAll
    static void startSpark() {
        spark = newSession();
    }

    /**
     * A local[2] session for tests: no UI, loopback driver, few shuffle partitions.
     *
     * @return the session
     */
    public static SparkSession newSession() {
        return SparkSession.builder()
                .master("local[2]")
                .appName("propensity-kit-tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.driver.host", "127.0.0.1")
                .getOrCreate();
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
            spark = null;
        }
        SparkSession.clearActiveSession();
        SparkSession.clearDefaultSession();
    }
}
