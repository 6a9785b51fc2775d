package io.propensitykit.spark;

import io.propensitykit.model.PropensityModel;

import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.FunctionIdentifier;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;

import scala.Option;
import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The batched path in SQL: a table function that scores a table or view with a registered model,
 * block by block, as {@link Propensity#score} does, for {@code %sql} users.
 *
 * <pre>{@code
 * SELECT * FROM propensity_scores('customers', 'churn')                    -- adds column propensity
 * SELECT * FROM propensity_scores('customers', 'churn', 'p_churn', 'skip')  -- column name, policy
 * }</pre>
 *
 * <p>The models it knows are those registered with {@link Propensity#register} in this session;
 * they live in the session's function registry, in this function's instance, not in a static map.
 */
final class ScoresTableFunction extends AbstractFunction1<Seq<Expression>, LogicalPlan> {

    /** The table function's name in SQL. */
    static final String NAME = "propensity_scores";

    private final SparkSession spark;
    private final Map<String, Registered> models;

    private record Registered(PropensityModel model, HandleInvalid mode) {}

    private ScoresTableFunction(SparkSession spark, Map<String, Registered> models) {
        this.spark = spark;
        this.models = models;
    }

    /** Makes {@code name} known to {@code propensity_scores} in this session, next to the models already known. */
    static void register(SparkSession spark, String name, PropensityModel model, HandleInvalid mode) {
        var registry = spark.sessionState().tableFunctionRegistry();
        Option<scala.Function1<Seq<Expression>, LogicalPlan>> previous =
                registry.lookupFunctionBuilder(FunctionIdentifier.apply(NAME));
        Map<String, Registered> known = new LinkedHashMap<>();
        if (previous.isDefined() && previous.get() instanceof ScoresTableFunction earlier && earlier.spark == spark) {
            known.putAll(earlier.models);
        }
        known.put(name.toLowerCase(java.util.Locale.ROOT), new Registered(model, mode));
        registry.createOrReplaceTempFunction(NAME, new ScoresTableFunction(spark, known), "java_udf");
    }

    @Override
    public LogicalPlan apply(Seq<Expression> children) {
        List<Expression> args = JavaConverters.seqAsJavaList(children);
        String usage = NAME + "('table', 'model' [, 'output_col' [, 'error'|'skip'|'keep']])";
        if (args.size() < 2 || args.size() > 4) {
            throw new IllegalArgumentException(NAME + "() takes 2 to 4 arguments, " + usage + "; it was given "
                    + args.size() + ".");
        }
        String table = text(args.get(0), "the table", usage);
        String name = text(args.get(1), "the model", usage);
        Registered registered = models.get(name.toLowerCase(java.util.Locale.ROOT));
        if (registered == null) {
            throw new IllegalArgumentException(NAME + "(): no model is registered as '" + name + "' in this session"
                    + (models.isEmpty() ? "" : "; registered: " + models.keySet()) + ". Register it first:"
                    + " Propensity.register(spark, \"" + name + "\", model).");
        }
        PropensityScorer.Builder scorer = Propensity.scorer(registered.model()).optHandleInvalid(
                args.size() == 4 ? HandleInvalid.parse(text(args.get(3), "the policy", usage)) : registered.mode());
        if (args.size() >= 3) {
            scorer.optOutputCol(text(args.get(2), "the output column", usage));
        }
        return scorer.build().plan(spark.table(table));
    }

    private static String text(Expression arg, String what, String usage) {
        if (!arg.foldable()) {
            throw new IllegalArgumentException(NAME + "(): " + what + " must be a string literal, as in " + usage
                    + "; got " + arg.sql() + ".");
        }
        Object value = arg.eval(null);
        if (value == null) {
            throw new IllegalArgumentException(NAME + "(): " + what + " is NULL; " + usage + ".");
        }
        return value.toString();
    }
}
