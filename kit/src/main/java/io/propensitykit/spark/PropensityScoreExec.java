package io.propensitykit.spark;

import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.SortOrder;
import org.apache.spark.sql.catalyst.plans.physical.Partitioning;
import org.apache.spark.sql.execution.SparkPlan;
import org.apache.spark.sql.vectorized.ColumnarBatch;

import scala.collection.IndexedSeq;
import scala.collection.Seq;

import java.util.Objects;

/**
 * The physical plan node of a batched scoring. Over a columnar child (a Parquet or ORC scan, a
 * cached DataFrame) it is columnar too: each batch goes on with the child's own column vectors
 * plus a score vector, so that whoever reads the result reads only the columns it needs, straight
 * from the vectors. Over a row child, or when invalid rows are skipped, it hands on rows.
 *
 * <p>Public only because Spark's planner copies plan nodes through their public constructor.
 */
public final class PropensityScoreExec extends SparkPlan {

    private static final long serialVersionUID = 1L;

    private final SparkPlan child;
    private final AttributeReference score;
    private final Scoring scoring;
    private transient Seq<Attribute> output;

    /**
     * @param child the rows to score
     * @param score the score column this node adds
     * @param scoring the model and settings
     */
    public PropensityScoreExec(SparkPlan child, AttributeReference score, Scoring scoring) {
        this.child = Objects.requireNonNull(child, "child");
        this.score = Objects.requireNonNull(score, "score");
        this.scoring = Objects.requireNonNull(scoring, "scoring");
    }

    /** @return the rows scored */
    public SparkPlan child() {
        return child;
    }

    /** The child's columns and the score, kept once made. */
    @Override
    public Seq<Attribute> output() {
        if (output == null) {
            output = Scoring.append(child.output(), score);
        }
        return output;
    }

    @Override
    public AttributeSet producedAttributes() {
        return AttributeSet.apply(score);
    }

    /**
     * Columnar when the child is, unless rows are skipped: a skipped row cannot leave a column batch
     * without copying every other row of it.
     */
    @Override
    public boolean supportsColumnar() {
        return scoring.mode() != HandleInvalid.SKIP && child.supportsColumnar();
    }

    /** Scoring keeps every row where it was, in its order (a skipped row only leaves a gap). */
    @Override
    public Partitioning outputPartitioning() {
        return child.outputPartitioning();
    }

    @Override
    public Seq<SortOrder> outputOrdering() {
        return child.outputOrdering();
    }

    @Override
    public RDD<InternalRow> doExecute() {
        Scoring.Bound bound = scoring.bind(child.schema());
        return child.execute().toJavaRDD().mapPartitions(bound::scoreRows).rdd();
    }

    @Override
    public RDD<ColumnarBatch> doExecuteColumnar() {
        Scoring.Bound bound = scoring.bind(child.schema());
        return child.executeColumnar().toJavaRDD().mapPartitions(bound::scoreBatches).rdd();
    }

    @Override
    public Seq<SparkPlan> children() {
        return Scoring.seq(child);
    }

    @Override
    public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> newChildren) {
        return new PropensityScoreExec(newChildren.apply(0), score, scoring);
    }

    @Override
    public String nodeName() {
        return "PropensityScore";
    }

    @Override
    public int productArity() {
        return 3;
    }

    @Override
    public Object productElement(int n) {
        return switch (n) {
            case 0 -> child;
            case 1 -> score;
            case 2 -> scoring;
            default -> throw new IndexOutOfBoundsException(n);
        };
    }

    @Override
    public boolean canEqual(Object that) {
        return that instanceof PropensityScoreExec;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PropensityScoreExec p && child.equals(p.child) && score.equals(p.score)
                && scoring.equals(p.scoring);
    }

    @Override
    public int hashCode() {
        return Objects.hash(child, score, scoring);
    }
}
