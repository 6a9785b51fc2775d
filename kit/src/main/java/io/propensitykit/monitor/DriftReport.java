package io.propensitykit.monitor;

import io.propensitykit.display.Formats;
import io.propensitykit.display.Tabular;
import io.propensitykit.monitor.FeatureDrift.Numbers;
import io.propensitykit.monitor.FeatureDrift.Side;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The drift of every checked column, ranked by PSI, most drifted first.
 *
 * @param baselineRows rows in the baseline
 * @param currentRows rows in the current data
 * @param watch the PSI from which a column is to watch
 * @param act the PSI from which a column is to act on
 * @param features one entry per column, ranked by PSI
 */
public record DriftReport(long baselineRows, long currentRows, double watch, double act,
        List<FeatureDrift> features) implements Tabular {

    /** Keeps the features as given. */
    public DriftReport {
        features = List.copyOf(features);
    }

    /**
     * @param name a checked column
     * @return its drift
     */
    public FeatureDrift feature(String name) {
        return features.stream().filter(f -> f.feature().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Column '" + name + "' was not checked; the report has "
                        + features.stream().map(FeatureDrift::feature).toList()));
    }

    /** @return the column with the largest PSI */
    public FeatureDrift worst() {
        return features.get(0);
    }

    /**
     * @param psi a threshold
     * @return whether any column's PSI is above it
     */
    public boolean exceeds(double psi) {
        return worst().psi() > psi;
    }

    /** @return the columns whose PSI reaches the watch threshold, most drifted first */
    public List<FeatureDrift> drifted() {
        return features.stream().filter(f -> f.psi() >= watch).toList();
    }

    /** @return the columns other than the score, most drifted first */
    public List<FeatureDrift> inputs() {
        return features.stream().filter(f -> f.kind() != FeatureDrift.Kind.SCORE).toList();
    }

    /**
     * The report in words: which columns reached the watch threshold and how they moved (median and
     * mean shift for numbers, unseen levels and nulls for categories), and the largest PSI among the
     * rest.
     *
     * @return a few sentences
     */
    public String summary() {
        List<FeatureDrift> moved = drifted();
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "Of %d columns, %s", features.size(),
                moved.isEmpty() ? "none reaches" : moved.size() + (moved.size() == 1 ? " reaches" : " reach")));
        s.append(String.format(Locale.ROOT, " the watch threshold (PSI %.2f)", watch));
        for (int i = 0; i < moved.size(); i++) {
            FeatureDrift f = moved.get(i);
            s.append(i == 0 ? ": " : "; ").append(f.feature())
                    .append(f.kind() == FeatureDrift.Kind.SCORE ? ", the score" : "")
                    .append(String.format(Locale.ROOT, " (PSI %.3f, %s", f.psi(), f.status().name().toLowerCase(
                            Locale.ROOT)));
            f.baseline().numbers().ifPresent(b -> f.current().numbers().ifPresent(c -> s.append(String.format(
                    Locale.ROOT, "; median %.4g to %.4g", b.median(), c.median()))));
            f.standardizedMeanShift().ifPresent(d -> s.append(String.format(Locale.ROOT, ", mean %+.2f sd", d)));
            if (f.unseenLevels() > 0) {
                s.append("; ").append(f.unseenLevels()).append(f.unseenLevels() == 1 ? " level" : " levels")
                        .append(" the baseline never had");
            }
            if (f.current().nullShare() != f.baseline().nullShare()) {
                s.append(String.format(Locale.ROOT, "; nulls %.1f%% to %.1f%%", 100 * f.baseline().nullShare(),
                        100 * f.current().nullShare()));
            }
            s.append(')');
        }
        s.append('.');
        features.stream().filter(f -> f.psi() < watch).findFirst().ifPresent(f -> s.append(String.format(Locale.ROOT,
                " %s below it; the largest is %s (%.3f).", moved.isEmpty() ? "Every column stays" : "The rest stay",
                f.feature(), f.psi())));
        return s.toString();
    }

    /**
     * One row per column, ranked by PSI: kind, PSI, status, KS, null shares, means and medians on
     * both sides, the standardized mean shift and the unseen levels. A blank cell is a number the
     * column does not have (a categorical's mean).
     *
     * @return the table
     */
    @Override
    public Table table() {
        Table table = Table.create(String.format(Locale.ROOT, "Drift: %,d baseline rows, %,d current rows",
                baselineRows, currentRows),
                StringColumn.create("feature", features.stream().map(FeatureDrift::feature)),
                StringColumn.create("kind", features.stream().map(f -> f.kind().name().toLowerCase())),
                DoubleColumn.create("psi", features.stream().mapToDouble(FeatureDrift::psi)),
                StringColumn.create("status", features.stream().map(f -> f.status().name())),
                column("ks", f -> f.ks()),
                DoubleColumn.create("nulls (baseline)", features.stream().mapToDouble(f -> f.baseline().nullShare())),
                DoubleColumn.create("nulls (current)", features.stream().mapToDouble(f -> f.current().nullShare())),
                column("mean (baseline)", f -> number(f.baseline(), Numbers::mean)),
                column("mean (current)", f -> number(f.current(), Numbers::mean)),
                column("median (baseline)", f -> number(f.baseline(), Numbers::median)),
                column("median (current)", f -> number(f.current(), Numbers::median)),
                column("mean shift (sd)", FeatureDrift::standardizedMeanShift),
                unseenLevels());
        // Printed as people read them: four decimals, null shares in percent.
        for (String name : table.columnNames()) {
            if (table.column(name) instanceof DoubleColumn d) {
                d.setPrintFormatter(name.startsWith("nulls") ? NumberColumnFormatter.percent(1)
                        : Formats.fixed(4));
            }
        }
        return table;
    }

    /** Unseen levels of the categorical columns; blank for numbers, which have no levels. */
    private LongColumn unseenLevels() {
        LongColumn c = LongColumn.create("unseen levels");
        features.forEach(f -> {
            if (f.kind() == FeatureDrift.Kind.CATEGORICAL) {
                c.append(f.unseenLevels());
            } else {
                c.appendMissing();
            }
        });
        return c;
    }

    private DoubleColumn column(String name, Function<FeatureDrift, OptionalDouble> value) {
        DoubleColumn c = DoubleColumn.create(name);
        features.forEach(f -> {
            OptionalDouble v = value.apply(f);
            if (v.isPresent()) {
                c.append(v.getAsDouble());
            } else {
                c.appendMissing();
            }
        });
        return c;
    }

    private static OptionalDouble number(Side side, Function<Numbers, Double> field) {
        return side.numbers().map(n -> OptionalDouble.of(field.apply(n))).orElse(OptionalDouble.empty());
    }

    /**
     * The report as JSON, for a pipeline to read: thresholds, row counts and, per column, the PSI,
     * status, KS, null shares, numbers and the PSI bins with their shares.
     *
     * @return pretty-printed JSON
     */
    public String json() {
        JsonObject root = new JsonObject();
        root.addProperty("baselineRows", baselineRows);
        root.addProperty("currentRows", currentRows);
        root.addProperty("watch", watch);
        root.addProperty("act", act);
        JsonArray list = new JsonArray();
        for (FeatureDrift f : features) {
            JsonObject o = new JsonObject();
            o.addProperty("feature", f.feature());
            o.addProperty("kind", f.kind().name().toLowerCase());
            finite(o, "psi", f.psi());
            o.addProperty("status", f.status().name());
            if (f.ks().isPresent()) {
                finite(o, "ks", f.ks().getAsDouble());
            }
            o.add("baseline", side(f.baseline()));
            o.add("current", side(f.current()));
            if (f.kind() == FeatureDrift.Kind.CATEGORICAL) {
                o.addProperty("unseenLevels", f.unseenLevels());
            }
            JsonArray bins = new JsonArray();
            for (int i = 0; i < f.bins().size(); i++) {
                JsonObject bin = new JsonObject();
                bin.addProperty("bin", f.bins().get(i));
                bin.addProperty("baseline", f.baselineShares()[i]);
                bin.addProperty("current", f.currentShares()[i]);
                bins.add(bin);
            }
            o.add("bins", bins);
            list.add(o);
        }
        root.add("features", list);
        return new GsonBuilder().setPrettyPrinting().create().toJson(root);
    }

    private static JsonObject side(Side side) {
        JsonObject o = new JsonObject();
        o.addProperty("rows", side.rows());
        o.addProperty("nulls", side.nulls());
        Optional<Numbers> numbers = side.numbers();
        numbers.ifPresent(n -> {
            finite(o, "mean", n.mean());
            finite(o, "std", n.std());
            finite(o, "p10", n.p10());
            finite(o, "median", n.median());
            finite(o, "p90", n.p90());
        });
        return o;
    }

    /** JSON has no NaN or Infinity: a value that is not finite is written as null. */
    private static void finite(JsonObject o, String key, double value) {
        if (Double.isFinite(value)) {
            o.addProperty(key, value);
        } else {
            o.add(key, com.google.gson.JsonNull.INSTANCE);
        }
    }

    /** @return the size of the comparison and its largest PSI, as a notebook shows a value */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "DriftReport[%d columns, %,d baseline rows, %,d current rows, largest PSI"
                + " %.4f (%s)]", features.size(), baselineRows, currentRows, worst().psi(), worst().feature());
    }
}
