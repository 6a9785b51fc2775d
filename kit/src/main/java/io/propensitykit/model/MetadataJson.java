package io.propensitykit.model;

import io.propensitykit.internal.JsonErrors;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The JSON form of {@link ModelMetadata}: what the loader reads and the trainers write. */
final class MetadataJson {

    private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

    private MetadataJson() {}

    /** Reads the metadata beside or inside a model, wherever it is; see {@link ModelMetadata#readFor}. */
    static ModelMetadata readFor(String location, Object hadoopConf) {
        ModelLocation.Json json;
        try {
            json = ModelLocation.of(location).metadataJson(hadoopConf);
        } catch (IOException e) {
            throw new PropensityModelException(e.getMessage(), e);
        }
        try {
            return parse(json.text());
        } catch (JsonParseException | IllegalStateException | IllegalArgumentException e) {
            throw new PropensityModelException("Invalid model metadata " + json.where() + ": " + e.getMessage(), e);
        }
    }

    /** Reads a metadata file; messages name the file and the field. */
    static ModelMetadata read(Path json) throws IOException {
        String text = Files.readString(json, StandardCharsets.UTF_8);
        try {
            return parse(text);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("Invalid model metadata " + json + ": it is not valid JSON"
                    + JsonErrors.position(e), e);
        } catch (IllegalStateException | IllegalArgumentException | UnsupportedOperationException e) {
            throw new IllegalArgumentException("Invalid model metadata " + json + ": " + e.getMessage(), e);
        }
    }

    /** Parses and validates; messages name the field. */
    static ModelMetadata parse(String text) {
        JsonObject root = JsonParser.parseString(text).getAsJsonObject();
        ModelMetadata.Builder b = ModelMetadata.builder();
        JsonElement features = required(root, "features");
        if (!features.isJsonArray()) {
            throw new IllegalArgumentException("the field 'features' must be a list of column names, found "
                    + kind(features));
        }
        JsonArray featureArray = features.getAsJsonArray();
        List<String> names = new ArrayList<>();
        for (JsonElement e : featureArray) {
            names.add(text(e, "features"));
        }
        b.setFeatures(names);
        if (root.has("name")) {
            b.optName(text(root.get("name"), "name"));
        }
        if (root.has("version")) {
            b.optVersion(text(root.get("version"), "version"));
        }
        if (root.has("format")) {
            b.optFormat(ModelFormat.parse(text(root.get("format"), "format")));
        }
        if (root.has("output")) {
            b.optOutput(OutputKind.parse(text(root.get("output"), "output")));
        }
        if (root.has("sha256")) {
            b.optSha256(text(root.get("sha256"), "sha256"));
        }
        if (root.has("preprocessing")) {
            JsonObject pre = object(root, "preprocessing");
            String type = text(required(pre, "type"), "preprocessing.type");
            if ("standardize".equals(type)) {
                b.optStandardization(doubles(required(pre, "mean")), doubles(required(pre, "std")));
            } else if (!"none".equals(type)) {
                throw new IllegalArgumentException(
                        "preprocessing.type is '" + type + "': use \"standardize\" or \"none\"");
            }
        }
        if (root.has("architecture")) {
            JsonObject arch = object(root, "architecture");
            String type = text(required(arch, "type"), "architecture.type");
            if (!"mlp".equals(type)) {
                throw new IllegalArgumentException("architecture.type is '" + type + "': only \"mlp\" is known");
            }
            List<Integer> hidden = new ArrayList<>();
            for (JsonElement e : required(arch, "hidden").getAsJsonArray()) {
                hidden.add(e.getAsInt());
            }
            String activation = arch.has("activation") ? arch.get("activation").getAsString() : "relu";
            boolean sigmoid = arch.has("sigmoid") && arch.get("sigmoid").getAsBoolean();
            b.optArchitecture(new MlpArchitecture(hidden, activation, sigmoid));
        }
        if (root.has("spec")) {
            b.optSpec(FeatureSpec.fromJson(object(root, "spec")));
        }
        return b.build();
    }

    /** A string field, or an error that names the field and what it holds instead. */
    private static String text(JsonElement value, String field) {
        if (value == null || !value.isJsonPrimitive()) {
            throw new IllegalArgumentException("the field '" + field + "' must be text, found " + kind(value));
        }
        return value.getAsString();
    }

    private static JsonObject object(JsonObject root, String field) {
        JsonElement value = root.get(field);
        if (value == null || !value.isJsonObject()) {
            throw new IllegalArgumentException("the field '" + field + "' must be an object {...}, found "
                    + kind(value));
        }
        return value.getAsJsonObject();
    }

    private static String kind(JsonElement value) {
        return value == null || value.isJsonNull() ? "null" : value.isJsonObject() ? "an object {...}"
                : value.isJsonArray() ? "a list [...]" : value.toString();
    }

    private static JsonElement required(JsonObject object, String field) {
        JsonElement value = object.get(field);
        if (value == null || value.isJsonNull()) {
            throw new IllegalArgumentException("the field '" + field + "' is missing");
        }
        return value;
    }

    private static double[] doubles(JsonElement array) {
        JsonArray a = array.getAsJsonArray();
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).getAsDouble();
        }
        return out;
    }

    /** Renders the JSON the loader reads, pretty-printed. */
    static String render(ModelMetadata m) {
        JsonObject root = new JsonObject();
        root.addProperty("name", m.name());
        root.addProperty("version", m.version());
        if (m.format() != null) {
            root.addProperty("format", m.format().jsonName());
        }
        JsonArray names = new JsonArray();
        m.features().forEach(names::add);
        root.add("features", names);
        JsonObject pre = new JsonObject();
        if (m.standardMeans() == null) {
            pre.addProperty("type", "none");
        } else {
            pre.addProperty("type", "standardize");
            pre.add("mean", GSON.toJsonTree(m.standardMeans()));
            pre.add("std", GSON.toJsonTree(m.standardStds()));
        }
        root.add("preprocessing", pre);
        root.addProperty("output", m.output().jsonName());
        if (m.sha256() != null) {
            root.addProperty("sha256", m.sha256());
        }
        if (m.architecture() != null) {
            JsonObject arch = new JsonObject();
            arch.addProperty("type", "mlp");
            arch.add("hidden", GSON.toJsonTree(m.architecture().hidden()));
            arch.addProperty("activation", m.architecture().activation());
            arch.addProperty("sigmoid", m.architecture().sigmoid());
            root.add("architecture", arch);
        }
        if (m.spec() != null) {
            root.add("spec", m.spec().toJson());
        }
        return GSON.toJson(root) + "\n";
    }
}
