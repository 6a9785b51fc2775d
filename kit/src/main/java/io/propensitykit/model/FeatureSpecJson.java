package io.propensitykit.model;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The JSON form of a {@link FeatureSpec}, as the model's metadata keeps it. */
final class FeatureSpecJson {

    private FeatureSpecJson() {}

    /** The spec as JSON: its columns, then its terms. */
    static JsonObject render(FeatureSpec spec) {
        JsonArray list = new JsonArray();
        for (FeatureSpec.Column c : spec.columns()) {
            JsonObject o = new JsonObject();
            o.addProperty("name", c.name());
            if (c.categorical()) {
                o.addProperty("type", "categorical");
                JsonArray levels = new JsonArray();
                c.levels().forEach(levels::add);
                o.add("levels", levels);
            } else {
                o.addProperty("type", "numeric");
                if (c.log()) {
                    o.addProperty("transform", "log1p");
                }
                o.addProperty("mean", c.mean());
                o.addProperty("std", c.std());
                o.addProperty("missing_indicator", c.missingFlag());
            }
            list.add(o);
        }
        JsonObject root = new JsonObject();
        root.add("columns", list);
        if (!spec.derived().isEmpty()) {
            JsonArray termList = new JsonArray();
            for (FeatureSpec.Derived d : spec.derived()) {
                JsonObject o = new JsonObject();
                o.addProperty("name", d.term().name());
                o.addProperty("op", d.term().op());
                JsonArray of = new JsonArray();
                d.term().of().forEach(of::add);
                o.add("of", of);
                if (d.term().power() > 0) {
                    o.addProperty("power", d.term().power());
                }
                o.addProperty("mean", d.mean());
                o.addProperty("std", d.std());
                termList.add(o);
            }
            root.add("terms", termList);
        }
        return root;
    }

    /** Reads and checks a spec; messages name the column or term. */
    static FeatureSpec parse(JsonObject json) {
        List<FeatureSpec.Column> columns = new ArrayList<>();
        for (JsonElement e : json.getAsJsonArray("columns")) {
            JsonObject o = e.getAsJsonObject();
            String name = o.get("name").getAsString();
            String type = o.get("type").getAsString();
            if ("categorical".equals(type)) {
                List<String> levels = new ArrayList<>();
                o.getAsJsonArray("levels").forEach(l -> levels.add(l.getAsString()));
                columns.add(FeatureSpec.categorical(name, levels));
            } else if ("numeric".equals(type)) {
                double std = o.get("std").getAsDouble();
                if (!(std > 0)) {
                    throw new IllegalArgumentException("feature spec column '" + name + "' has std " + std);
                }
                boolean log = o.has("transform") && "log1p".equals(o.get("transform").getAsString());
                if (o.has("transform") && !log) {
                    throw new IllegalArgumentException("feature spec column '" + name + "' has transform '"
                            + o.get("transform").getAsString() + "': only \"log1p\" is known");
                }
                columns.add(new FeatureSpec.Column(name, false, log, o.get("mean").getAsDouble(), std,
                        o.has("missing_indicator") && o.get("missing_indicator").getAsBoolean(), List.of(), Map.of()));
            } else {
                throw new IllegalArgumentException("feature spec column '" + name + "' has type '" + type
                        + "': use \"numeric\" or \"categorical\"");
            }
        }
        List<FeatureSpec.Derived> derived = new ArrayList<>();
        if (json.has("terms")) {
            List<String> names = columns.stream().map(FeatureSpec.Column::name).toList();
            for (JsonElement e : json.getAsJsonArray("terms")) {
                JsonObject o = e.getAsJsonObject();
                List<String> of = new ArrayList<>();
                o.getAsJsonArray("of").forEach(c -> of.add(c.getAsString()));
                FeatureSpec.Term term = new FeatureSpec.Term(o.get("op").getAsString(), of, o.has("power") ? o.get("power").getAsInt() : 0);
                int[] bases = new int[of.size()];
                for (int k = 0; k < bases.length; k++) {
                    bases[k] = names.indexOf(of.get(k));
                    if (bases[k] < 0 || columns.get(bases[k]).categorical()) {
                        throw new IllegalArgumentException("feature spec term " + term.name() + " reads '" + of.get(k)
                                + "', which is not a numeric column of the spec");
                    }
                }
                double std = o.get("std").getAsDouble();
                if (!(std > 0)) {
                    throw new IllegalArgumentException("feature spec term " + term.name() + " has std " + std);
                }
                derived.add(new FeatureSpec.Derived(term, bases, o.get("mean").getAsDouble(), std));
            }
        }
        return new FeatureSpec(columns, derived);
    }
}
