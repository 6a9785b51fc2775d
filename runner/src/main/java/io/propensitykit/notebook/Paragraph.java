package io.propensitykit.notebook;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.apache.zeppelin.interpreter.InterpreterResult;
import org.apache.zeppelin.interpreter.InterpreterResultMessage;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One paragraph of a note: its interpreter, script and config in, its results and status out.
 * The interpreter line is parsed as Zeppelin's {@code Paragraph} parses it.
 */
final class Paragraph {

    /** Zeppelin's pattern: optional leading space, {@code %name}, optional {@code (local properties)}. */
    private static final Pattern REPL = Pattern.compile("(\\s*)%([\\w.]+)(\\(.*?\\))?.*", Pattern.DOTALL);

    private final JsonObject json;
    private final int index;
    private final String interpreter;
    private final String script;
    private final List<InterpreterResultMessage> messages = new ArrayList<>();
    private String status;
    private InterpreterResult.Code code;

    Paragraph(JsonObject json, int index) {
        this.json = json;
        this.index = index;
        if (!json.has("id") || json.get("id").isJsonNull()) {
            json.addProperty("id", "paragraph_" + UUID.randomUUID());
        }
        String text = string("text");
        Matcher m = REPL.matcher(text);
        if (m.matches()) {
            interpreter = m.group(2);
            int skip = m.group(1).length() + 1 + interpreter.length()
                    + (m.group(3) == null ? 0 : m.group(3).length());
            script = text.substring(skip).trim();
        } else {
            interpreter = "";
            script = text.trim();
        }
        this.status = json.has("status") ? json.get("status").getAsString() : "READY";
    }

    private String string(String field) {
        JsonElement e = json.get(field);
        return e == null || e.isJsonNull() ? "" : e.getAsString();
    }

    private JsonObject config() {
        JsonElement c = json.get("config");
        return c != null && c.isJsonObject() ? c.getAsJsonObject() : new JsonObject();
    }

    int index() {
        return index;
    }

    String id() {
        return json.get("id").getAsString();
    }

    String title() {
        return string("title");
    }

    String text() {
        return string("text");
    }

    /** @return the interpreter name after {@code %}, or "" for the note's default */
    String interpreter() {
        return interpreter;
    }

    /** @return the code without its interpreter line, trimmed as Zeppelin trims it */
    String script() {
        return script;
    }

    /** @return false when the paragraph's config disables it ({@code "enabled": false}) */
    boolean enabled() {
        JsonElement e = config().get("enabled");
        return e == null || e.isJsonNull() || e.getAsBoolean();
    }

    /** @return whether the editor is hidden, as in the note's intro {@code %md} paragraphs */
    boolean editorHidden() {
        JsonElement e = config().get("editorHide");
        return e != null && !e.isJsonNull() && e.getAsBoolean();
    }

    /** @return a short label for progress lines: the title, or the first line of code */
    String label() {
        if (!title().isBlank()) {
            return title();
        }
        String first = script.lines().findFirst().orElse("(empty)");
        return first.length() > 60 ? first.substring(0, 57) + "..." : first;
    }

    void setResult(InterpreterResult.Code resultCode, List<InterpreterResultMessage> resultMessages, String dateStarted,
            String dateFinished) {
        this.code = resultCode;
        this.messages.clear();
        this.messages.addAll(resultMessages);
        this.status = resultCode == InterpreterResult.Code.SUCCESS ? "FINISHED" : "ERROR";
        JsonObject results = new JsonObject();
        results.addProperty("code", resultCode.name());
        JsonArray msg = new JsonArray();
        for (InterpreterResultMessage m : resultMessages) {
            JsonObject o = new JsonObject();
            o.addProperty("type", m.getType().name());
            o.addProperty("data", m.getData());
            msg.add(o);
        }
        results.add("msg", msg);
        json.add("results", results);
        json.addProperty("status", status);
        json.addProperty("dateStarted", dateStarted);
        json.addProperty("dateFinished", dateFinished);
    }

    /** Marks the paragraph as not run in this execution: no results, status READY. */
    void setNotRun() {
        this.code = null;
        this.messages.clear();
        this.status = "READY";
        json.remove("results");
        json.remove("dateStarted");
        json.remove("dateFinished");
        json.addProperty("status", status);
    }

    /** Stores the forms and the parameter values used, as Zeppelin's {@code settings}. */
    void setSettings(String guiJson) {
        json.add("settings", JsonParser.parseString(guiJson));
    }

    JsonObject settings() {
        JsonElement s = json.get("settings");
        return s != null && s.isJsonObject() ? s.getAsJsonObject() : new JsonObject();
    }

    String status() {
        return status;
    }

    /** @return the result code, or null when the paragraph did not run */
    InterpreterResult.Code code() {
        return code;
    }

    List<InterpreterResultMessage> messages() {
        return messages;
    }

    JsonObject json() {
        return json;
    }
}
