package io.lasthop.edge.testing;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A long-polling client driven step by step by the test: each {@link #poll} is one request, whose
 * body carries the frames given (acks of the last answer), as the browser client does.
 */
public final class PollClient {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String token;
    private String session;
    private String connection;
    private String node;
    private String answered;
    private int lastStatus;

    public PollClient(String token, String session) {
        this.token = token;
        this.session = session;
    }

    /** One poll to {@code edge}; returns the frames of the answer, and adopts any hello in it. */
    public List<JsonNode> poll(EdgeAddress edge, String frames) {
        StringBuilder uri = new StringBuilder(edge.http())
                .append("/lasthop/poll?token=")
                .append(URLEncoder.encode(token, StandardCharsets.UTF_8));
        if (session != null) {
            uri.append("&session=").append(session);
        }
        if (connection != null) {
            uri.append("&connection=").append(connection);
        }
        if (node != null) {
            uri.append("&node=").append(node);
        }
        if (answered != null) {
            uri.append("&answered=").append(answered);
        }
        try {
            HttpResponse<String> res = HTTP.send(
                    HttpRequest.newBuilder(URI.create(uri.toString()))
                            .timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString(frames == null ? "" : frames))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            lastStatus = res.statusCode();
            answered = res.headers().firstValue("X-Lasthop-Answer").orElse(null);
            List<JsonNode> out = new ArrayList<>();
            if (res.statusCode() != 200) {
                out.add(Frames.JSON.readTree(res.body()));
                return out;
            }
            for (JsonNode f : Frames.JSON.readTree(res.body())) {
                if ("hello".equals(f.path("t").asText())) {
                    session = f.get("session").asText();
                    connection = f.get("connection").asText();
                    node = f.get("node").asText();
                }
                out.add(f);
            }
            return out;
        } catch (IOException | InterruptedException e) {
            throw new AssertionError("poll failed: " + e, e);
        }
    }

    /** Forgets the last answer, as a client whose answer was lost on the way would. */
    public void loseLastAnswer() {
        answered = answered == null ? null : Long.toString(Long.parseLong(answered) - 1);
    }

    public int lastStatus() {
        return lastStatus;
    }

    public String session() {
        return session;
    }

    public String connection() {
        return connection;
    }
}
