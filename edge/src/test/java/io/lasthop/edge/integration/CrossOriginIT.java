package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Edge;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.util.Set;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** CORS for the HTTP transports, and the WebSocket Origin check against cross-site hijacking. */
class CrossOriginIT {
    static final String ALLOWED = "https://app.example.com";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static Edge edge;

    @BeforeAll
    static void start() {
        System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host,origin");
        edge = new Edge(c -> c.set(Settings.CORS_ORIGINS, Set.of(ALLOWED)).set(Settings.CORS_CREDENTIALS, true));
    }

    @AfterAll
    static void stop() {
        edge.close();
    }

    @Test
    void preflightFromAnAllowedOriginIsAnswered() throws Exception {
        HttpResponse<String> res = HTTP.send(
                HttpRequest.newBuilder(URI.create(edge.http() + "/lasthop/frames"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                        .header("Origin", ALLOWED)
                        .header("Access-Control-Request-Method", "POST")
                        .header("Access-Control-Request-Headers", "content-type")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, res.statusCode());
        assertEquals(
                ALLOWED, res.headers().firstValue("access-control-allow-origin").orElse(""));
        assertEquals(
                "true",
                res.headers().firstValue("access-control-allow-credentials").orElse(""));
        assertTrue(res.headers()
                .firstValue("access-control-allow-methods")
                .orElse("")
                .contains("POST"));
    }

    @Test
    void responsesCarryCorsHeadersOnlyForAllowedOrigins() throws Exception {
        HttpResponse<String> allowed = HTTP.send(
                HttpRequest.newBuilder(URI.create(edge.http() + "/lasthop/sse"))
                        .header("Origin", ALLOWED)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(401, allowed.statusCode());
        assertEquals(
                ALLOWED,
                allowed.headers().firstValue("access-control-allow-origin").orElse(""),
                "even an error is readable by an allowed origin");
        HttpResponse<String> foreign = HTTP.send(
                HttpRequest.newBuilder(URI.create(edge.http() + "/lasthop/sse"))
                        .header("Origin", "https://evil.example")
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(foreign.headers().firstValue("access-control-allow-origin").isEmpty());
    }

    @Test
    void webSocketFromAForeignOriginIs403() {
        CompletionException e = org.junit.jupiter.api.Assertions.assertThrows(
                CompletionException.class, () -> ws("https://evil.example"));
        assertEquals(
                403, ((WebSocketHandshakeException) e.getCause()).getResponse().statusCode());
    }

    @Test
    void webSocketFromTheEdgesOwnOriginOrAnAllowedOneIsAccepted() {
        ws("http://127.0.0.1:" + edge.server().port()).abort();
        ws(ALLOWED).abort();
    }

    private static WebSocket ws(String origin) {
        return HTTP.newWebSocketBuilder()
                .header("Origin", origin)
                .buildAsync(
                        URI.create(edge.ws() + "/lasthop/ws?token=" + Edge.token(Edge.newUser())),
                        new WebSocket.Listener() {})
                .join();
    }
}
