package io.propensitykit.spark;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.catalyst.analysis.MultiInstanceRelation;
import org.apache.spark.sql.catalyst.expressions.Attribute;
import org.apache.spark.sql.catalyst.expressions.AttributeReference;
import org.apache.spark.sql.catalyst.expressions.AttributeSet;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.catalyst.plans.logical.Project;

import scala.collection.IndexedSeq;
import scala.collection.JavaConverters;
import scala.collection.Seq;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The logical plan node of a batched scoring: the child's rows plus one score column. It is what
 * {@link PropensityScorer#transform} returns a DataFrame of, so that Spark plans it like any other
 * operator: the input columns that neither the query nor the model reads are not read at all
 * ({@link #references()}), and a columnar input is scored and handed on as column batches ({@link PropensityScoreExec}).
 *
 * <p>Public only because Spark's planner copies plan nodes through their public constructor; it
 * is not meant to be built by hand.
 */
public final class PropensityScore extends LogicalPlan implements MultiInstanceRelation {

    private static final long serialVersionUID = 1L;

    private final LogicalPlan child;
    private final AttributeReference score;
    private final Scoring scoring;
    private transient AttributeSet read;
    private transient Seq<Attribute> output;

    /**
     * @param child the rows to score
     * @param score the score column this node adds
     * @param scoring the model and settings
     */
    public PropensityScore(LogicalPlan child, AttributeReference score, Scoring scoring) {
        this.child = Objects.requireNonNull(child, "child");
        this.score = Objects.requireNonNull(score, "score");
        this.scoring = Objects.requireNonNull(scoring, "scoring");
    }

    /** @return the rows scored */
    public LogicalPlan child() {
        return child;
    }

    /** @return the score column */
    public AttributeReference score() {
        return score;
    }

    /** @return the model and settings */
    public Scoring scoring() {
        return scoring;
    }

    /** The child's columns and the score; kept, since the analyzer and the optimizer ask often. */
    @Override
    public Seq<Attribute> output() {
        if (output == null) {
            output = Scoring.append(child.output(), score);
        }
        return output;
    }

    /**
     * The input columns scoring reads: the features and the id column. Spark's column pruning keeps
     * these and whatever the query reads above, and leaves every other input column unread.
     */
    @Override
    public AttributeSet references() {
        if (read == null) {
            List<Attribute> inputs = JavaConverters.seqAsJavaList(child.output());
            List<Expression> columns = new ArrayList<>();
            for (int ordinal : scoring.columnsRead(child.schema())) {
                columns.add(inputs.get(ordinal));
            }
            read = AttributeSet.apply(JavaConverters.asScalaBuffer(columns));
        }
        return read;
    }

    /** The score column is made here, not read from the child. */
    @Override
    public AttributeSet producedAttributes() {
        return AttributeSet.apply(score);
    }

    @Override
    public Seq<LogicalPlan> children() {
        return Scoring.seq(child);
    }

    @Override
    public LogicalPlan withNewChildrenInternal(IndexedSeq<LogicalPlan> newChildren) {
        return new PropensityScore(newChildren.apply(0), score, scoring);
    }

    /**
     * The same scoring with new ids for every output column, for a query that holds it twice (a
     * self-join): the input's columns are renamed to themselves under new ids, and the score column
     * gets a new id.
     */
    @Override
    public LogicalPlan newInstance() {
        List<NamedExpression> renamed = new ArrayList<>();
        for (Attribute a : JavaConverters.seqAsJavaList(child.output())) {
            renamed.add((NamedExpression) new Column(a).as(a.name()).expr());
        }
        return new PropensityScore(new Project(JavaConverters.asScalaBuffer(renamed).toList(), child),
                score.newInstance(), scoring);
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
        return that instanceof PropensityScore;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PropensityScore p && child.equals(p.child) && score.equals(p.score)
                && scoring.equals(p.scoring);
    }

    @Override
    public int hashCode() {
        return Objects.hash(child, score, scoring);
    }
}
