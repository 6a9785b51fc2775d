package io.propensitykit.spark;

import org.apache.spark.sql.ExperimentalMethods;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.execution.SparkStrategy;

import scala.collection.JavaConverters;
import scala.collection.Seq;

import java.util.ArrayList;
import java.util.List;

/**
 * How Spark plans a {@link PropensityScore}: a strategy that makes it a {@link PropensityScoreExec},
 * added to a session's experimental strategies the first time the session scores.
 */
final class ScorePlanning {

    private ScorePlanning() {}

    /**
     * Adds the strategy to the session, once.
     *
     * @param spark the session whose DataFrames are scored
     */
    static void install(SparkSession spark) {
        ExperimentalMethods experimental = spark.experimental();
        synchronized (experimental) {
            if (JavaConverters.seqAsJavaList(experimental.extraStrategies()).stream()
                    .noneMatch(s -> s instanceof Strategy)) {
                List<SparkStrategy> strategies = new ArrayList<>(
                        JavaConverters.seqAsJavaList(experimental.extraStrategies()));
                strategies.add(new Strategy());
                experimental.extraStrategies_$eq(JavaConverters.asScalaBuffer(strategies).toList());
            }
        }
    }

    /** Plans a {@link PropensityScore} as a {@link PropensityScoreExec} over its planned child. */
    static final class Strategy extends SparkStrategy {
        private static final long serialVersionUID = 1L;

        @Override
        public Seq<SparkPlan> apply(LogicalPlan plan) {
            if (plan instanceof PropensityScore node) {
                return Scoring.seq(new PropensityScoreExec(planLater(node.child()), node.score(), node.scoring()));
            }
            return JavaConverters.asScalaBuffer(List.<SparkPlan>of()).toList();
        }
    }
}
