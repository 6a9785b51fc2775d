package io.propensitykit.notebook;

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

/**
 * A Zeppelin note ({@code .zpln}, Zeppelin 0.9+ JSON), kept as JSON so that fields the runner does
 * not know survive the round trip into the executed note.
 */
final class Note {

    static final Gson GSON = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

    private final Path source;
    private final JsonObject json;
    private final List<Paragraph> paragraphs = new ArrayList<>();

    private Note(Path source, JsonObject json) {
        this.source = source;
        this.json = json;
        JsonElement list = json.get("paragraphs");
        if (list == null || !list.isJsonArray()) {
            throw new IllegalArgumentException(source + " is not a Zeppelin note: it has no \"paragraphs\" array");
        }
        int index = 0;
        for (JsonElement p : list.getAsJsonArray()) {
            paragraphs.add(new Paragraph(p.getAsJsonObject(), index++));
        }
    }

    /**
     * Reads a note.
     *
     * @param file a {@code .zpln} file
     * @return the note
     * @throws IOException if it cannot be read
     */
    static Note read(Path file) throws IOException {
        try {
            return new Note(file, JsonParser.parseString(Files.readString(file, StandardCharsets.UTF_8))
                    .getAsJsonObject());
        } catch (JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException(file + " is not valid note JSON: " + e.getMessage(), e);
        }
    }

    Path source() {
        return source;
    }

    /** @return the note's name, or the file name without {@code .zpln} */
    String name() {
        JsonElement name = json.get("name");
        if (name != null && name.isJsonPrimitive() && !name.getAsString().isBlank()) {
            return name.getAsString();
        }
        return baseName();
    }

    String baseName() {
        return baseName(source);
    }

    /** @return a note file's name without {@code .zpln}: the name of its executed note and report in {@code --out} */
    static String baseName(Path file) {
        String name = file.getFileName().toString();
        return name.endsWith(".zpln") ? name.substring(0, name.length() - 5) : name;
    }

    /** @return the interpreter group a paragraph without {@code %name} uses; Zeppelin's default is spark */
    String defaultInterpreterGroup() {
        JsonElement group = json.get("defaultInterpreterGroup");
        return group != null && group.isJsonPrimitive() ? group.getAsString() : "spark";
    }

    List<Paragraph> paragraphs() {
        return paragraphs;
    }

    /** The executed note's field that records a comparison with an earlier run: {@code {"previous": DIR, "changes": N}}. */
    static final String COMPARISON = "kitComparison";

    /**
     * Records in the executed note what a comparison with an earlier run found, for the index.
     *
     * @param previous the earlier run's folder
     * @param changes how many values changed
     */
    void setComparison(String previous, int changes) {
        JsonObject c = new JsonObject();
        c.addProperty("previous", previous);
        c.addProperty("changes", changes);
        json.add(COMPARISON, c);
    }

    /** @return the note's JSON config, empty when it has none */
    JsonObject config() {
        JsonElement c = json.get("config");
        return c != null && c.isJsonObject() ? c.getAsJsonObject() : new JsonObject();
    }

    /** @return the executed note as JSON, in the shape Zeppelin writes */
    String toJson() {
        JsonArray list = new JsonArray();
        for (Paragraph p : paragraphs) {
            list.add(p.json());
        }
        json.add("paragraphs", list);
        return GSON.toJson(json) + "\n";
    }
}
