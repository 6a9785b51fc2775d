package io.propensitykit.notebook;

import io.propensitykit.display.Display;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.zeppelin.display.ui.OptionInput.ParamOption;
import org.apache.zeppelin.interpreter.InterpreterHookRegistry;
import org.apache.zeppelin.interpreter.ResultMessages;
import org.apache.zeppelin.interpreter.ZeppelinContext;

import scala.Tuple2;
import scala.collection.JavaConverters;
import scala.collection.Seq;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code z} in {@code %spark} paragraphs: Zeppelin's own {@link ZeppelinContext} (forms, {@code put}
 * and {@code get}, {@code show}), with the Spark-specific parts Zeppelin's Spark interpreter adds:
 * a DataFrame shown as a {@code %table} of at most {@code zeppelin.spark.maxResult} rows, and the
 * Scala-friendly {@code select} and {@code checkbox} that take {@code Seq((value, label), ...)}.
 */
public final class KitZeppelinContext extends ZeppelinContext {

    /** Zeppelin's default {@code zeppelin.spark.maxResult}. */
    public static final int DEFAULT_MAX_RESULT = 1000;

    KitZeppelinContext(int maxResult) {
        super(new InterpreterHookRegistry(), maxResult);
    }

    @Override
    public Map<String, String> getInterpreterClassMap() {
        return Map.of("spark", "org.apache.zeppelin.spark.SparkInterpreter",
                "sql", "org.apache.zeppelin.spark.SparkSqlInterpreter");
    }

    @Override
    @SuppressWarnings("rawtypes")
    public List<Class> getSupportedClasses() {
        return List.of(Dataset.class);
    }

    /**
     * Shows a Dataset as Zeppelin 0.12's Spark interpreter does: up to {@code zeppelin.spark.maxResult}
     * rows (1000 unless {@code %spark.conf} or {@code --conf} sets it), whatever {@code n} says, for
     * Zeppelin passes only that interpreter-wide limit on. To show fewer rows, show
     * {@code df.limit(n)}.
     *
     * @param o the object to show
     * @param n ignored for a Dataset, as in Zeppelin 0.12
     */
    @Override
    public void show(Object o, int n) {
        if (!isSupportedObject(o)) {
            super.show(o, n);
            return;
        }
        try {
            getInterpreterContext().out.write(showData(o, getMaxResult()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * Renders a Dataset as Zeppelin's Spark interpreter does: a tab-separated {@code %table}, a red
     * note when rows were cut at {@code maxResult}, and {@code %text} so later output is not tabular.
     */
    @Override
    public String showData(Object obj, int maxResult) {
        if (!(obj instanceof Dataset<?> ds)) {
            return String.valueOf(obj);
        }
        Dataset<Row> df = ds.toDF();
        String[] columns = df.columns();
        if (columns.length == 0) {
            return "";
        }
        List<Row> rows = df.takeAsList(maxResult + 1);
        boolean truncated = rows.size() > maxResult;
        if (truncated) {
            rows = rows.subList(0, maxResult);
        }
        StringBuilder msg = new StringBuilder("%table ").append(Display.tableData(List.of(columns),
                rows.stream().map(r -> JavaConverters.seqAsJavaList(r.toSeq())).toList()));
        if (truncated) {
            msg.append('\n').append(ResultMessages.getExceedsLimitRowsMessage(maxResult, "zeppelin.spark.maxResult"));
        }
        return msg.append("\n%text ").toString();
    }

    /**
     * A drop-down, Scala style: {@code z.select("segment", Seq(("a", "A"), ("b", "B")))}.
     *
     * @param name the form name
     * @param options (value, label) pairs
     * @return the chosen value, or null
     */
    public Object select(String name, Seq<Tuple2<Object, String>> options) {
        return select(name, (Object) null, options);
    }

    /**
     * A drop-down with a default, Scala style.
     *
     * @param name the form name
     * @param defaultValue the value used when no parameter is given
     * @param options (value, label) pairs
     * @return the chosen value
     */
    public Object select(String name, Object defaultValue, Seq<Tuple2<Object, String>> options) {
        return select(name, defaultValue, paramOptions(options));
    }

    /**
     * Checkboxes, all checked by default, Scala style.
     *
     * @param name the form name
     * @param options (value, label) pairs
     * @return the checked values
     */
    public Seq<Object> checkbox(String name, Seq<Tuple2<Object, String>> options) {
        List<Object> all = new ArrayList<>();
        for (Tuple2<Object, String> o : JavaConverters.seqAsJavaList(options)) {
            all.add(o._1());
        }
        return JavaConverters.asScalaBuffer(checkbox(name, all, paramOptions(options))).toSeq();
    }

    /**
     * Checkboxes with default checked values, Scala style.
     *
     * @param name the form name
     * @param defaultChecked the values checked when no parameter is given
     * @param options (value, label) pairs
     * @return the checked values
     */
    public Seq<Object> checkbox(String name, Seq<Object> defaultChecked, Seq<Tuple2<Object, String>> options) {
        List<Object> checked = new ArrayList<>(JavaConverters.seqAsJavaList(defaultChecked));
        return JavaConverters.asScalaBuffer(checkbox(name, checked, paramOptions(options))).toSeq();
    }

    private static ParamOption[] paramOptions(Seq<Tuple2<Object, String>> options) {
        List<Tuple2<Object, String>> list = JavaConverters.seqAsJavaList(options);
        ParamOption[] out = new ParamOption[list.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = new ParamOption(list.get(i)._1(), list.get(i)._2());
        }
        return out;
    }
}
