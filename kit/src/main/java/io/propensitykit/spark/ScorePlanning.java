package io.propensitykit.spark;

import org.apache.spark.sql.ExperimentalMethods;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Filter;
import org.apache.spark.sql.catalyst.plans.logical.Project;
import org.apache.spark.sql.execution.FilterExec;
import org.apache.spark.sql.execution.ProjectExec;
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

    /**
     * Plans a {@link PropensityScore} as a {@link PropensityScoreExec} over its planned child. Under
     * a projection (Spark's column pruning puts one above a scoring whose columns are not all read),
     * through any filters in between, the node hands on only the child's columns the projection and
     * the filters read, as Spark's own generators do, so that the rows of a block are not kept whole
     * while it is scored.
     */
    static final class Strategy extends SparkStrategy {
        private static final long serialVersionUID = 1L;

        @Override
        public Seq<SparkPlan> apply(LogicalPlan plan) {
            if (plan instanceof Project project) {
                // Filters between the projection and the scoring (a query on the score, say) read
                // columns too.
                AttributeSet read = project.references();
                List<Filter> filters = new ArrayList<>();
                LogicalPlan below = project.child();
                while (below instanceof Filter filter) {
                    filters.add(filter);
                    read = read.$plus$plus(filter.references());
                    below = filter.child();
                }
                if (below instanceof PropensityScore node) {
                    AttributeSet reads = read;
                    List<Attribute> kept = JavaConverters.seqAsJavaList(node.child().output()).stream()
                            .filter(reads::contains).toList();
                    if (kept.size() < node.child().output().size()) {
                        SparkPlan planned = new PropensityScoreExec(planLater(node.child()), node.score(),
                                node.scoring(), JavaConverters.asScalaBuffer(kept).toList());
                        for (int i = filters.size() - 1; i >= 0; i--) {
                            planned = new FilterExec(filters.get(i).condition(), planned);
                        }
                        return Scoring.seq(new ProjectExec(project.projectList(), planned));
                    }
                }
            }
            if (plan instanceof PropensityScore node) {
                return Scoring.seq(new PropensityScoreExec(planLater(node.child()), node.score(), node.scoring(),
                        node.child().output()));
            }
            return JavaConverters.asScalaBuffer(List.<SparkPlan>of()).toList();
        }
    }
}
