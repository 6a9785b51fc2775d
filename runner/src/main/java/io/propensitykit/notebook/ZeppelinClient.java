package io.propensitykit.notebook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * The few calls of Zeppelin's REST API that {@code kit run --server} needs, as Zeppelin 0.12
 * answers them: every answer is {@code {"status": "OK", "message": …, "body": …}}, or an error
 * status with {@code {"exception": …, "message": …}}. A Shiro login keeps its session cookie.
 */
final class ZeppelinClient {

    /** An answer other than 2xx: the status and Zeppelin's message. */
    static final class ServerError extends IOException {
        private static final long serialVersionUID = 1L;

        private final int status;

        ServerError(int status, String message) {
            super(message);
            this.status = status;
        }

        int status() {
            return status;
        }

        /** @return whether the server refused the user (401 or 403) */
        boolean refused() {
            return status == 401 || status == 403;
        }
    }

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;

    /**
     * @param base the server, {@code http://host:port}
     * @param timeout how long one request may take (a blocking call's own timeout is given with it)
     */
    ZeppelinClient(URI base, Duration timeout) {
        this.base = base;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).cookieHandler(new CookieManager()).build();
    }

    URI base() {
        return base;
    }

    /** Logs in through Shiro ({@code POST /api/login}); the session cookie goes with every later call. */
    void login(String user, String password) throws IOException {
        String form = "userName=" + URLEncoder.encode(user, StandardCharsets.UTF_8) + "&password="
                + URLEncoder.encode(password, StandardCharsets.UTF_8);
        send(HttpRequest.newBuilder(uri("/api/login")).timeout(timeout)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build());
    }

    /** @return the id of the interpreter setting of group {@code spark} ({@code GET /api/interpreter/setting}) */
    String sparkSettingId() throws IOException {
        JsonElement settings = body(send(get("/api/interpreter/setting")));
        for (JsonElement s : settings.getAsJsonArray()) {
            JsonObject o = s.getAsJsonObject();
            if (o.has("group") && o.get("group").getAsString().equals("spark")) {
                return o.get("id").getAsString();
            }
        }
        throw new IOException("the server has no interpreter setting of group spark");
    }

    /** Imports a note ({@code POST /api/notebook/import}); a name that exists answers 500. @return the new note's id */
    String importNote(JsonObject note) throws IOException {
        return body(send(json("POST", "/api/notebook/import", note, timeout))).getAsString();
    }

    /** Replaces a paragraph's text ({@code PUT /api/notebook/{note}/paragraph/{paragraph}}). */
    void setParagraphText(String noteId, String paragraphId, String text) throws IOException {
        JsonObject body = new JsonObject();
        body.addProperty("text", text);
        send(json("PUT", "/api/notebook/" + noteId + "/paragraph/" + paragraphId, body, timeout));
    }

    /** Restarts an interpreter setting ({@code PUT /api/interpreter/setting/restart/{id}}), waiting at most {@code wait}. */
    void restartInterpreter(String settingId, Duration wait) throws IOException {
        send(json("PUT", "/api/interpreter/setting/restart/" + settingId, new JsonObject(), wait));
    }

    /** Starts one paragraph ({@code POST /api/notebook/job/{note}/{paragraph}}) with these form values. */
    void runParagraph(String noteId, String paragraphId, Map<String, String> params) throws IOException {
        JsonObject body = new JsonObject();
        JsonObject p = new JsonObject();
        params.forEach(p::addProperty);
        body.add("params", p);
        send(json("POST", "/api/notebook/job/" + noteId + "/" + paragraphId, body, timeout));
    }

    /** @return a paragraph's status: READY, PENDING, RUNNING, FINISHED, ERROR or ABORT */
    String paragraphStatus(String noteId, String paragraphId) throws IOException {
        return body(send(get("/api/notebook/job/" + noteId + "/" + paragraphId))).getAsJsonObject().get("status")
                .getAsString();
    }

    /** Stops a running paragraph ({@code DELETE /api/notebook/job/{note}/{paragraph}}). */
    void cancelParagraph(String noteId, String paragraphId) throws IOException {
        send(HttpRequest.newBuilder(uri("/api/notebook/job/" + noteId + "/" + paragraphId)).timeout(timeout).DELETE()
                .build());
    }

    /** @return a note with its paragraphs' status and results ({@code GET /api/notebook/{note}}) */
    JsonObject note(String noteId) throws IOException {
        return body(send(get("/api/notebook/" + noteId))).getAsJsonObject();
    }

    /** Deletes a note ({@code DELETE /api/notebook/{note}}). */
    void deleteNote(String noteId) throws IOException {
        send(HttpRequest.newBuilder(uri("/api/notebook/" + noteId)).timeout(timeout).DELETE().build());
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(uri(path)).timeout(timeout).GET().build();
    }

    private HttpRequest json(String method, String path, JsonObject body, Duration wait) {
        return HttpRequest.newBuilder(uri(path)).timeout(wait).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8)).build();
    }

    private URI uri(String path) {
        return base.resolve(path);
    }

    /** Sends a request; an answer other than 2xx becomes a {@link ServerError} with Zeppelin's message. */
    private String send(HttpRequest request) throws IOException {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + request.method() + " " + request.uri().getPath(), e);
        }
        int status = response.statusCode();
        if (status / 100 != 2) {
            throw new ServerError(status, request.method() + " " + request.uri().getPath() + " answered " + status
                    + messageOf(response.body()));
        }
        return response.body();
    }

    /** Zeppelin's own words for an error: its message's first line. */
    private static String messageOf(String body) {
        try {
            JsonObject o = JsonParser.parseString(body).getAsJsonObject();
            if (o.has("message") && !o.get("message").isJsonNull() && !o.get("message").getAsString().isBlank()) {
                return ": " + o.get("message").getAsString().lines().findFirst().orElse("");
            }
        } catch (JsonParseException | IllegalStateException notJson) {
            // A proxy's or Jetty's page: its status says enough.
        }
        return "";
    }

    private static JsonElement body(String answer) throws IOException {
        try {
            JsonObject o = JsonParser.parseString(answer).getAsJsonObject();
            if (!o.has("body")) {
                throw new IOException("the server's answer has no body: " + answer.substring(0,
                        Math.min(200, answer.length())));
            }
            return o.get("body");
        } catch (JsonParseException | IllegalStateException e) {
            throw new IOException("the server's answer is not Zeppelin's JSON: " + answer.substring(0,
                    Math.min(200, answer.length())), e);
        }
    }
}
