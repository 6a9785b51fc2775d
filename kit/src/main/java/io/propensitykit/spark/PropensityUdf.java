package io.propensitykit.spark;

import io.propensitykit.model.FeatureProblem;
import io.propensitykit.model.ModelLease;
import io.propensitykit.model.ModelRuntime;
import io.propensitykit.model.PropensityModel;
import io.propensitykit.model.RawValues;

import org.apache.spark.TaskContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.catalyst.expressions.Expression;
import org.apache.spark.sql.catalyst.expressions.NamedExpression;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import scala.collection.JavaConverters;
import scala.collection.Seq;
import scala.runtime.AbstractFunction1;

import java.util.ArrayList;
import java.util.List;

/**
 * The model as a SQL function, for {@code %sql} and {@code spark.sql}: correct, but row at a time,
 * so one native call per row. Use {@link Propensity#score}, or the table function, for volume.
 *
 * <pre>{@code
 * Propensity.register(spark, "propensity", model);
 * spark.sql("SELECT id, propensity(recency, frequency, monetary, tenure) AS p FROM customers");
 * spark.sql("SELECT id, propensity(features) FROM customers");             -- an array column
 * spark.sql("SELECT id, propensity(struct(*)) FROM customers");            -- fields matched by name
 * }</pre>
 *
 * <p>Arguments are checked when the query is analyzed, on the driver: the count, that each is a
 * number, and that no argument is a feature column passed in another feature's place. A model with
 * a feature spec takes its raw columns (categorical ones as text) and encodes them as in training.
 */
final class PropensityUdf implements UDF1<Seq<Object>, Double> {

    private static final long serialVersionUID = 1L;

    private final PropensityModel model;
    private final HandleInvalid mode;
    private final String name;
    private final ModelRuntime.Shipment files;

    private PropensityUdf(PropensityModel model, HandleInvalid mode, String name, ModelRuntime.Shipment files) {
        this.model = model;
        this.mode = mode;
        this.name = name;
        this.files = files;
    }

    static void register(SparkSession spark, String name, PropensityModel model, HandleInvalid mode) {
        if (mode == HandleInvalid.SKIP) {
            throw new IllegalArgumentException("A SQL function cannot drop rows: register '" + name + "' with"
                    + " handleInvalid 'error' or 'keep', and filter with WHERE, or use Propensity.score with 'skip'.");
        }
        ModelRuntime.Shipment files = TaskLeases.ship(model, spark.sparkContext());
        boolean spec = model.metadata().spec() != null;
        UserDefinedFunction udf = (spec
                ? functions.udf(new RawFeatures(model, mode, name, files), DataTypes.DoubleType)
                : functions.udf(new PropensityUdf(model, mode, name, files), DataTypes.DoubleType)).withName(name);
        // Nullable under every policy, though 'error' never returns null: a non-nullable function
        // lets the optimizer fold count(f(...)) into count(1), so bad rows would never be seen.
        UserDefinedFunction function = udf;
        spark.sessionState().functionRegistry().createOrReplaceTempFunction(name,
                new AbstractFunction1<Seq<Expression>, Expression>() {
                    @Override
                    public Expression apply(Seq<Expression> children) {
                        List<Expression> args = JavaConverters.seqAsJavaList(children);
                        return function.apply(spec ? rawStruct(name, model, args) : featureArray(name, model, args))
                                .expr();
                    }
                }, "java_udf");
    }

    private static Seq<Column> seq(List<Column> columns) {
        return JavaConverters.asScalaBuffer(columns).toSeq();
    }

    /** Turns the call's arguments into one {@code array<double>} in the model's feature order. */
    static Column featureArray(String name, PropensityModel model, List<Expression> args) {
        List<String> features = model.features();
        String signature = name + "(" + String.join(", ", features) + ")";
        if (args.size() == 1 && args.get(0).resolved()) {
            DataType type = args.get(0).dataType();
            if (type instanceof ArrayType array) {
                requireNumeric(name, "the elements of the array argument", array.elementType());
                return new Column(args.get(0)).cast(DataTypes.createArrayType(DataTypes.DoubleType));
            }
            if (type instanceof StructType struct) {
                Column s = new Column(args.get(0));
                List<Column> fields = new ArrayList<>();
                for (String feature : features) {
                    StructField field = fieldOf(struct, feature, name);
                    requireNumeric(name, "field '" + field.name() + "'", field.dataType());
                    fields.add(s.getField(field.name()).cast(DataTypes.DoubleType));
                }
                return functions.array(seq(fields));
            }
        }
        if (args.size() != features.size()) {
            throw new IllegalArgumentException(name + "() takes " + features.size() + " feature arguments, "
                    + signature + ", or one array or struct of them; it was given " + args.size() + ".");
        }
        List<Column> values = new ArrayList<>();
        for (int j = 0; j < args.size(); j++) {
            Expression arg = args.get(j);
            if (arg.resolved()) {
                requireNumeric(name, "argument " + (j + 1) + " (" + arg.sql() + ")", arg.dataType());
            }
            if (arg instanceof NamedExpression named) {
                int position = features.indexOf(named.name());
                if (position >= 0 && position != j) {
                    throw new IllegalArgumentException(name + "(): argument " + (j + 1) + " is column '"
                            + named.name() + "', which is feature " + (position + 1) + " of the model; pass the"
                            + " features in the model's order: " + signature + ".");
                }
            }
            values.add(new Column(arg).cast(DataTypes.DoubleType));
        }
        return functions.array(seq(values));
    }

    /**
     * For a model with a feature spec: the raw columns as one struct in the model's order, numeric
     * ones as doubles and categorical ones as text, so the spec encodes them as in training.
     */
    static Column rawStruct(String name, PropensityModel model, List<Expression> args) {
        List<String> features = model.features();
        var spec = model.metadata().spec();
        List<Column> values = new ArrayList<>();
        if (args.size() == 1 && args.get(0).resolved() && args.get(0).dataType() instanceof StructType struct) {
            Column s = new Column(args.get(0));
            for (String feature : features) {
                values.add(s.getField(fieldOf(struct, feature, name).name()));
            }
        } else if (args.size() == features.size()) {
            for (int j = 0; j < args.size(); j++) {
                Expression arg = args.get(j);
                if (arg instanceof NamedExpression named) {
                    int position = features.indexOf(named.name());
                    if (position >= 0 && position != j) {
                        throw new IllegalArgumentException(name + "(): argument " + (j + 1) + " is column '"
                                + named.name() + "', which is feature " + (position + 1) + " of the model; pass the"
                                + " features in the model's order: " + name + "(" + String.join(", ", features) + ").");
                    }
                }
                values.add(new Column(arg));
            }
        } else {
            throw new IllegalArgumentException(name + "() takes " + features.size() + " raw columns, " + name + "("
                    + String.join(", ", features) + "), or one struct of them; it was given " + args.size() + ".");
        }
        List<Column> typed = new ArrayList<>();
        for (int j = 0; j < values.size(); j++) {
            Column v = values.get(j);
            if (!spec.isCategorical(j)) {
                Expression e = v.expr();
                if (e.resolved()) {
                    requireNumeric(name, "feature '" + features.get(j) + "'", e.dataType());
                }
                typed.add(v.cast(DataTypes.DoubleType).as(features.get(j)));
            } else {
                typed.add(v.cast(DataTypes.StringType).as(features.get(j)));
            }
        }
        return functions.struct(seq(typed));
    }

    /** The SQL function of a model with a feature spec: one struct of raw values per call. */
    private static final class RawFeatures implements UDF1<org.apache.spark.sql.Row, Double> {
        private static final long serialVersionUID = 1L;

        private final PropensityModel model;
        private final HandleInvalid mode;
        private final String name;
        private final ModelRuntime.Shipment files;

        RawFeatures(PropensityModel model, HandleInvalid mode, String name, ModelRuntime.Shipment files) {
            this.model = model;
            this.mode = mode;
            this.name = name;
            this.files = files;
        }

        @Override
        public Double call(org.apache.spark.sql.Row row) {
            Object[] raw = new Object[row.size()];
            for (int j = 0; j < raw.length; j++) {
                raw[j] = row.get(j);
            }
            return scoreOne(model, mode, name, files, raw);
        }
    }

    private static StructField fieldOf(StructType struct, String feature, String name) {
        for (StructField f : struct.fields()) {
            if (f.name().equalsIgnoreCase(feature)) {
                return f;
            }
        }
        throw new IllegalArgumentException(name + "(): the struct argument has no field '" + feature
                + "'; its fields are " + List.of(struct.fieldNames()) + ".");
    }

    private static void requireNumeric(String name, String what, DataType type) {
        if (!(type instanceof NumericType)) {
            throw new IllegalArgumentException(name + "(): " + what + " has type " + type.simpleString()
                    + ", not a number. Cast it to double, or encode it as numbers first.");
        }
    }

    @Override
    public Double call(Seq<Object> values) {
        if (values == null) {
            return invalid(model, mode, name, "the feature array is null");
        }
        return scoreOne(model, mode, name, files, JavaConverters.seqAsJavaList(values).toArray());
    }

    /** Scores one row of raw values through the model's encoder, with the task's scorer. */
    private static Double scoreOne(PropensityModel model, HandleInvalid mode, String name,
            ModelRuntime.Shipment files, Object[] raw) {
        TaskContext task = TaskContext.get();
        // Evaluated on the driver (constant folding), a call gets a short-lived lease of its own.
        ModelLease lease = task == null ? ModelRuntime.lease(model, 1, files) : TaskLeases.shared(model, files, task);
        try {
            FeatureProblem problem = lease.batch().add(RawValues.of(raw));
            if (problem != null) {
                String subject = problem.reason() == FeatureProblem.Reason.WRONG_WIDTH ? "the feature array"
                        : "feature '" + model.features().get(problem.feature()) + "'";
                return invalid(model, mode, name, problem.describe(subject));
            }
            return (double) lease.predict()[0];
        } finally {
            if (task == null) {
                lease.close();
            }
        }
    }

    private static Double invalid(PropensityModel model, HandleInvalid mode, String name, String problem) {
        if (mode == HandleInvalid.KEEP) {
            return null;
        }
        throw new InvalidFeaturesException(name + "(): " + problem + ". Model '" + model.metadata().name()
                + "' cannot score that row. Register the function with handleInvalid 'keep' to get NULL for such"
                + " rows, or filter them out first.");
    }
}
