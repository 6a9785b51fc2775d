package io.propensitykit.notebook;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Zeppelin 0.12 server for the tests, on 127.0.0.1: it answers with the exchanges recorded from a
 * real server ({@code ../shared/zeppelin-0.12-rest}), ids and results included, keeps the requests it
 * was sent, and can be told to fail as servers do (a login required, a restart that hangs, a
 * paragraph that never ends, a server that dies after so many requests).
 */
final class FakeZeppelin implements AutoCloseable {

    /** One request as received: method, path (with query) and body. */
    record Request(String method, String path, String body) {
        JsonObject json() {
            return JsonParser.parseString(body).getAsJsonObject();
        }
    }

    /** The recorded exchanges, where the shared folder holds them. */
    static Path recordings() {
        String set = System.getenv("KIT_ZEPPELIN_REST");
        return set != null ? Path.of(set) : Project.root().getParent().resolve("shared").resolve("zeppelin-0.12-rest");
    }

    private static final Pattern JOB = Pattern.compile("/api/notebook/job/([^/?]+)/([^/?]+)");
    private static final Pattern NOTE = Pattern.compile("/api/notebook/([^/?]+)");
    private static final Pattern PARAGRAPH = Pattern.compile("/api/notebook/([^/]+)/paragraph/([^/?]+)");
    private static final Pattern RESTART = Pattern.compile("/api/interpreter/setting/restart/([^/?]+)");

    private final HttpServer http;
    private final Path dir;
    private final List<Request> requests = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Set<String> imported = new HashSet<>();
    private final Set<String> deleted = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> polls = new HashMap<>();
    private final Set<String> cancelled = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger served = new AtomicInteger();

    /** The note the server holds after a run: its results and statuses (a recording's GET note body). */
    String noteRecording = "08-get-note-with-results-01.json";
    /** A user and password the server requires, or null for anonymous. */
    String[] login;
    /** How long the interpreter's restart takes, in milliseconds. */
    long restartMillis;
    /** A paragraph that never ends: polled, it stays RUNNING until cancelled. */
    String endless;
    /** After this many requests the server stops, as a server that dies mid-run; 0 for never. */
    int dieAfter;
    /** How long deleting a note takes, in milliseconds: the note is gone at once, the answer comes after. */
    long deleteMillis;

    FakeZeppelin() throws IOException {
        this.dir = recordings();
        http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/", this::handle);
        http.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-zeppelin");
            t.setDaemon(true);
            return t;
        }));
        http.start();
    }

    /** Whether the recorded exchanges are there to replay. */
    static boolean available() {
        return Files.isRegularFile(recordings().resolve("08-get-note-with-results-01.json"));
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort());
    }

    List<Request> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    Set<String> deleted() {
        return deleted;
    }

    Set<String> cancelled() {
        return cancelled;
    }

    /** A recorded exchange's request or response part. */
    JsonObject recorded(String file, String part) throws IOException {
        return JsonParser.parseString(Files.readString(dir.resolve(file))).getAsJsonObject().getAsJsonObject(part);
    }

    @Override
    public void close() {
        http.stop(0);
    }

    private void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath();
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        requests.add(new Request(method, ex.getRequestURI().toString(), body));
        if (dieAfter > 0 && served.incrementAndGet() > dieAfter) {
            // The server goes away: this connection and every later one.
            ex.close();
            new Thread(() -> http.stop(0)).start();
            return;
        }
        try {
            if (login != null && !path.equals("/api/login") && !ex.getRequestHeaders().getOrDefault("Cookie", List.of())
                    .toString().contains("JSESSIONID=kit-test")) {
                answer(ex, 401, "{\"status\":\"UNAUTHORIZED\",\"message\":\"\"}");
                return;
            }
            if (method.equals("POST") && path.equals("/api/login")) {
                boolean ok = login != null && java.net.URLDecoder.decode(body, StandardCharsets.UTF_8)
                        .equals("userName=" + login[0] + "&password=" + login[1]);
                if (ok) {
                    ex.getResponseHeaders().add("Set-Cookie", "JSESSIONID=kit-test; Path=/; HttpOnly");
                    answer(ex, 200, "{\"status\":\"OK\",\"message\":\"\",\"body\":{\"principal\":\"" + login[0] + "\"}}");
                } else {
                    answer(ex, 403, "{\"status\":\"FORBIDDEN\",\"message\":\"\"}");
                }
                return;
            }
            Matcher m;
            String note = (m = JOB.matcher(path)).matches() || (m = NOTE.matcher(path)).matches()
                    || (m = PARAGRAPH.matcher(path)).matches() ? m.group(1) : null;
            if (note != null && deleted.contains(note)) {
                // As Zeppelin answers for a note that is gone.
                answer(ex, 404, "{\"status\":\"NOT_FOUND\",\"message\":\"No such note: " + note + "\"}");
                return;
            }
            if (method.equals("GET") && path.equals("/api/interpreter/setting")) {
                replay(ex, "01-list-interpreter-settings.json");
            } else if (method.equals("POST") && path.equals("/api/notebook/import")) {
                String name = JsonParser.parseString(body).getAsJsonObject().get("name").getAsString();
                replay(ex, imported.add(name) ? "02-import-note.json" : "03-import-note-duplicate-500.json");
            } else if (method.equals("PUT") && PARAGRAPH.matcher(path).matches()) {
                replay(ex, "04-update-paragraph-spark-jars.json");
            } else if (method.equals("PUT") && RESTART.matcher(path).matches()) {
                sleep(restartMillis);
                replay(ex, "05-restart-spark-interpreter.json");
            } else if ((m = JOB.matcher(path)).matches()) {
                job(ex, method, m.group(2));
            } else if (method.equals("DELETE") && NOTE.matcher(path).matches()) {
                deleted.add(path.substring(path.lastIndexOf('/') + 1));
                sleep(deleteMillis);
                answer(ex, 200, "{\"status\":\"OK\",\"message\":\"\"}");
            } else if (method.equals("GET") && NOTE.matcher(path).matches()) {
                replay(ex, noteRecording);
            } else {
                answer(ex, 404, "{\"status\":\"NOT_FOUND\",\"message\":\"no such call in the fake: " + method + " "
                        + path + "\"}");
            }
        } finally {
            ex.close();
        }
    }

    /** A paragraph's job: started (13), then PENDING (14), then its status in the note's recording (15's shape). */
    private void job(HttpExchange ex, String method, String paragraph) throws IOException {
        if (method.equals("POST")) {
            replay(ex, "13-run-paragraph-async.json");
        } else if (method.equals("DELETE")) {
            cancelled.add(paragraph);
            answer(ex, 200, "{\"status\":\"OK\",\"message\":\"\"}");
        } else {
            int n = polls.merge(paragraph, 1, Integer::sum);
            JsonObject status = recorded(n == 1 ? "14-paragraph-status-pending.json" : "15-paragraph-status-finished.json",
                    "response").getAsJsonObject("body");
            status.getAsJsonObject("body").addProperty("id", paragraph);
            String now = n == 1 ? "PENDING" : paragraph.equals(endless)
                    ? (cancelled.contains(paragraph) ? "ABORT" : "RUNNING") : statusInNote(paragraph);
            status.getAsJsonObject("body").addProperty("status", now);
            answer(ex, 200, status.toString());
        }
    }

    /** A paragraph's status in the recorded note. */
    private String statusInNote(String paragraph) throws IOException {
        for (JsonElement p : recorded(noteRecording, "response").getAsJsonObject("body").getAsJsonObject("body")
                .getAsJsonArray("paragraphs")) {
            if (p.getAsJsonObject().get("id").getAsString().equals(paragraph)) {
                return p.getAsJsonObject().get("status").getAsString();
            }
        }
        return "ERROR";
    }

    private void replay(HttpExchange ex, String file) throws IOException {
        JsonObject response = recorded(file, "response");
        answer(ex, response.get("status").getAsInt(), response.get("body").toString());
    }

    private static void answer(HttpExchange ex, int status, String json) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
