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
import scala.collection.JavaConverters;
import scala.collection.Seq;

import java.util.List;
import java.util.Objects;

/**
 * The physical plan node of a batched scoring. Over a columnar child (a Parquet or ORC scan, a
 * cached DataFrame) it is columnar too: each batch goes on with the child's own column vectors
 * plus a score vector, so that whoever reads the result reads only the columns it needs, straight
 * from the vectors. Over a row child, or when invalid rows are skipped, it hands on rows. When the
 * query reads only some of the child's columns after scoring, only those are handed on: a row
 * child's rows are then not kept whole while their block is scored.
 *
 * <p>Public only because Spark's planner copies plan nodes through their public constructor.
 */
public final class PropensityScoreExec extends SparkPlan {

    private static final long serialVersionUID = 1L;

    private final SparkPlan child;
    private final AttributeReference score;
    private final Scoring scoring;
    private final Seq<Attribute> kept;
    private transient Seq<Attribute> output;

    /**
     * @param child the rows to score
     * @param score the score column this node adds
     * @param scoring the model and settings
     * @param kept the child's columns handed on with the score: all of them, or only those the
     *     query reads after scoring
     */
    public PropensityScoreExec(SparkPlan child, AttributeReference score, Scoring scoring, Seq<Attribute> kept) {
        this.child = Objects.requireNonNull(child, "child");
        this.score = Objects.requireNonNull(score, "score");
        this.scoring = Objects.requireNonNull(scoring, "scoring");
        this.kept = Objects.requireNonNull(kept, "kept");
    }

    /** @return the rows scored */
    public SparkPlan child() {
        return child;
    }

    /** The child's columns handed on, and the score; kept once made. */
    @Override
    public Seq<Attribute> output() {
        if (output == null) {
            output = Scoring.append(kept, score);
        }
        return output;
    }

    /** @return the ordinals in the child's rows of the columns handed on, or null when all are */
    private int[] keptOrdinals() {
        List<Attribute> inputs = JavaConverters.seqAsJavaList(child.output());
        List<Attribute> handedOn = JavaConverters.seqAsJavaList(kept);
        if (handedOn.equals(inputs)) {
            return null;
        }
        int[] ordinals = new int[handedOn.size()];
        for (int k = 0; k < ordinals.length; k++) {
            ordinals[k] = -1;
            for (int i = 0; i < inputs.size() && ordinals[k] < 0; i++) {
                if (inputs.get(i).exprId().equals(handedOn.get(k).exprId())) {
                    ordinals[k] = i;
                }
            }
            if (ordinals[k] < 0) {
                throw new IllegalStateException("column " + handedOn.get(k) + " is not among the scored rows' "
                        + inputs);
            }
        }
        return ordinals;
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
        int[] handedOn = keptOrdinals();
        return child.execute().toJavaRDD().mapPartitions(rows -> bound.scoreRows(rows, handedOn)).rdd();
    }

    @Override
    public RDD<ColumnarBatch> doExecuteColumnar() {
        Scoring.Bound bound = scoring.bind(child.schema());
        int[] handedOn = keptOrdinals();
        return child.executeColumnar().toJavaRDD().mapPartitions(batches -> bound.scoreBatches(batches, handedOn))
                .rdd();
    }

    @Override
    public Seq<SparkPlan> children() {
        return Scoring.seq(child);
    }

    @Override
    public SparkPlan withNewChildrenInternal(IndexedSeq<SparkPlan> newChildren) {
        return new PropensityScoreExec(newChildren.apply(0), score, scoring, kept);
    }

    @Override
    public String nodeName() {
        return "PropensityScore";
    }

    /** As {@code explain()} shows the node: the score, the settings, and the columns handed on when not all are. */
    @Override
    public String argString(int maxFields) {
        String args = score + ", " + scoring;
        return kept.equals(child.output()) ? args : args + ", hands on " + kept.mkString("[", ", ", "]");
    }

    @Override
    public int productArity() {
        return 4;
    }

    @Override
    public Object productElement(int n) {
        return switch (n) {
            case 0 -> child;
            case 1 -> score;
            case 2 -> scoring;
            case 3 -> kept;
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
                && scoring.equals(p.scoring) && kept.equals(p.kept);
    }

    @Override
    public int hashCode() {
        return Objects.hash(child, score, scoring, kept);
    }
}
