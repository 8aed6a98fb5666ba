package io.lasthop.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A client of the streamed transports. For SSE, an EventSource as the spec reads it: parses
 * {@code id:} and {@code data:} lines, joins data lines with "\n", and keeps the last event id. For
 * HTTP streaming, one JSON frame per line. Client frames go by POST, like the browser client.
 */
public final class SseClient extends Frames implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    private final EdgeAddress edge;
    private final String token;
    private final boolean ndjson;
    private final int status;
    private final HttpHeaders headers;
    private final InputStream body;
    private final CompletableFuture<Void> ended = new CompletableFuture<>();
    private volatile String lastEventId;
    private volatile String session;
    private volatile String connection;
    private volatile String node;

    private SseClient(EdgeAddress edge, String token, boolean ndjson, HttpResponse<InputStream> res) {
        this.edge = edge;
        this.token = token;
        this.ndjson = ndjson;
        this.status = res.statusCode();
        this.headers = res.headers();
        this.body = res.body();
        if (status == 200) {
            Thread t = new Thread(this::read, "sse-client");
            t.setDaemon(true);
            t.start();
        }
    }

    public static SseClient connect(EdgeAddress edge, String token, String session) {
        return connect(edge, token, session, null);
    }

    public static SseClient connect(EdgeAddress edge, String token, String session, String lastEventId) {
        return connect(edge, "/lasthop/sse", token, session, lastEventId);
    }

    /** HTTP streaming: {@code GET /lasthop/stream}, newline-delimited JSON. */
    public static SseClient connectStream(EdgeAddress edge, String token, String session) {
        return connect(edge, "/lasthop/stream", token, session, null);
    }

    private static SseClient connect(EdgeAddress edge, String path, String token, String session, String lastEventId) {
        String uri = edge.http() + path + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                + (session == null ? "" : "&session=" + URLEncoder.encode(session, StandardCharsets.UTF_8));
        HttpRequest.Builder req = HttpRequest.newBuilder(URI.create(uri)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            req.header("Last-Event-ID", lastEventId);
        }
        try {
            return new SseClient(
                    edge,
                    token,
                    path.endsWith("/stream"),
                    HTTP.send(req.build(), HttpResponse.BodyHandlers.ofInputStream()));
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("SSE connect failed: " + e, e);
        }
    }

    private void read() {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            StringBuilder data = null;
            for (String line; (line = r.readLine()) != null; ) {
                if (ndjson) {
                    if (!line.isBlank()) {
                        frame(line);
                    }
                    continue;
                }
                if (line.isEmpty()) {
                    if (data != null) {
                        frame(data.toString());
                    }
                    data = null;
                } else if (line.startsWith("data: ")) {
                    data = data == null ? new StringBuilder() : data.append('\n');
                    data.append(line, 6, line.length());
                } else if (line.startsWith("id: ")) {
                    lastEventId = line.substring(4);
                }
            }
        } catch (IOException e) {
            // the stream ended
        } finally {
            ended.complete(null);
        }
    }

    private void frame(String json) throws IOException {
        if (json.contains("\"t\":\"hello\"")) {
            JsonNode hello = Frames.JSON.readTree(json);
            session = hello.path("session").asText();
            connection = hello.path("connection").asText();
            node = hello.path("node").asText();
        }
        record(json);
    }

    public int status() {
        return status;
    }

    public HttpHeaders headers() {
        return headers;
    }

    /** The error body of a refused stream. */
    public String errorBody() throws IOException {
        return new String(body.readAllBytes(), StandardCharsets.UTF_8);
    }

    public String lastEventId() {
        return lastEventId;
    }

    /** POSTs client frames for this stream's session, as the browser client does. */
    public HttpResponse<String> post(String frames) {
        return post(session, connection, frames);
    }

    /** POSTs to another node than the stream's, as a load balancer without stickiness would. */
    public HttpResponse<String> postVia(EdgeAddress other, String frames) {
        try {
            return postTo(
                    other,
                    "/lasthop/frames?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8) + "&session=" + session
                            + "&connection=" + connection + "&node=" + node,
                    frames);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public String connection() {
        return connection;
    }

    public HttpResponse<String> post(String sessionId, String connectionId, String frames) {
        try {
            return postTo(
                    edge,
                    "/lasthop/frames?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8)
                            + "&session=" + URLEncoder.encode(sessionId, StandardCharsets.UTF_8)
                            + "&connection=" + URLEncoder.encode(connectionId, StandardCharsets.UTF_8),
                    frames);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static HttpResponse<String> postTo(EdgeAddress to, String pathAndQuery, String body)
            throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create(to.http() + pathAndQuery))
                        .timeout(Duration.ofSeconds(10))
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public void ack(long seq) {
        HttpResponse<String> res = post("{\"t\":\"ack\",\"seq\":" + seq + "}");
        if (res.statusCode() != 204) {
            throw new AssertionError("ack POST answered " + res.statusCode() + ": " + res.body());
        }
    }

    public boolean awaitEnd(Duration timeout) {
        try {
            ended.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    /** Drops the connection, as a lost network would. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
