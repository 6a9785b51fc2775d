package io.propensitykit.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes small test notes in the .zpln shape Zeppelin 0.12 imports. */
final class Notes {

    private final JsonObject note = new JsonObject();
    private final JsonArray paragraphs = new JsonArray();

    private Notes(String name) {
        note.addProperty("name", name);
        note.addProperty("id", "2KIT" + Math.abs(name.hashCode()));
        note.addProperty("defaultInterpreterGroup", "spark");
        note.addProperty("version", "0.12.0");
        note.add("paragraphs", paragraphs);
        note.add("config", new JsonObject());
        note.add("info", new JsonObject());
    }

    static Notes named(String name) {
        return new Notes(name);
    }

    Notes paragraph(String title, String text) {
        return paragraph(title, text, true);
    }

    Notes paragraph(String title, String text, boolean enabled) {
        JsonObject p = new JsonObject();
        p.addProperty("id", "paragraph_" + (paragraphs.size() + 1));
        if (title != null) {
            p.addProperty("title", title);
        }
        p.addProperty("text", text);
        JsonObject config = new JsonObject();
        config.addProperty("enabled", enabled);
        p.add("config", config);
        p.add("settings", new JsonObject());
        paragraphs.add(p);
        return this;
    }

    Path write(Path dir, String file) throws IOException {
        Files.createDirectories(dir);
        Path path = dir.resolve(file);
        Files.writeString(path, Note.GSON.toJson(note));
        return path;
    }
}
