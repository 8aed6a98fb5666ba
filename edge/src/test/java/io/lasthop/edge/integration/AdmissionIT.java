package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.PollClient;
import io.lasthop.edge.testing.WsClient;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

/**
 * A node's limits on opening sessions (issue finding 2: one token opened 2,047 sessions and took
 * every channel of a node). Refusals are 429 with Retry-After and a documented code, and reach no
 * broker: no session, no queue.
 */
class AdmissionIT {

    @Test
    void aUserHoldsAtMostItsSessionsPerNode() throws Exception {
        try (Edge edge = new Edge(c -> c.set(Settings.MAX_SESSIONS_PER_USER, 3))) {
            String user = Edge.newUser();
            List<WsClient> held = new ArrayList<>();
            List<String> sessions = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    WsClient ws = WsClient.connect(edge, Edge.token(user), null);
                    held.add(ws);
                    sessions.add(ws.next("hello").get("session").asText());
                }
                double opened = edge.metric("lasthop_sessions_opened_total{resumed=\"false\"}");
                WsClient.HandshakeRefused refused = assertThrows(
                        WsClient.HandshakeRefused.class, () -> WsClient.connect(edge, Edge.token(user), null));
                assertEquals(429, refused.status);
                assertTrue(refused.body.contains("too_many_sessions"), refused.body);
                PollClient poll = new PollClient(Edge.token(user), null);
                assertEquals(
                        "too_many_sessions",
                        poll.poll(edge, null).get(0).get("error").asText());
                assertEquals(429, poll.lastStatus());
                assertEquals(
                        opened,
                        edge.metric("lasthop_sessions_opened_total{resumed=\"false\"}"),
                        "a refusal opens nothing");

                try (WsClient other = WsClient.connect(edge, Edge.token(Edge.newUser()), null)) {
                    other.next("hello"); // another user is not held back
                }
                // Resuming a session held here replaces it: allowed at the bound.
                WsClient again = WsClient.connect(edge, Edge.token(user), sessions.get(0));
                held.add(again);
                assertTrue(again.next("hello").get("resumed").asBoolean());
                assertEquals(4500, held.get(0).awaitClose(), "the connection it replaced is taken over");
                Await.until(() -> edge.server().sessions().countOf(user) == 3, Broker.timeout(), "the old one gone");
                held.get(2).close();
                Await.until(() -> edge.server().sessions().countOf(user) == 2, Broker.timeout(), "a place freed");
                WsClient fourth = WsClient.connect(edge, Edge.token(user), null);
                held.add(fourth);
                fourth.next("hello");
            } finally {
                held.forEach(WsClient::close);
            }
        }
    }

    @Test
    void newSessionsPerSecondAreBoundedPerNodeButResumesAreNot() throws Exception {
        try (Edge edge =
                new Edge(c -> c.set(Settings.NEW_SESSION_RATE, 2).set(Settings.NEW_SESSION_RATE_PER_ADDRESS, 1000))) {
            List<WsClient> held = new ArrayList<>();
            try {
                String user = Edge.newUser();
                WsClient first = WsClient.connect(edge, Edge.token(user), null);
                held.add(first);
                String session = first.next("hello").get("session").asText();
                held.add(WsClient.connect(edge, Edge.token(Edge.newUser()), null));
                WsClient.HandshakeRefused refused = assertThrows(
                        WsClient.HandshakeRefused.class,
                        () -> WsClient.connect(edge, Edge.token(Edge.newUser()), null));
                assertEquals(429, refused.status);
                assertTrue(refused.body.contains("rate_limited"), refused.body);
                // A resume declares no queue: the rate does not apply.
                WsClient resumed = WsClient.connect(edge, Edge.token(user), session);
                held.add(resumed);
                assertTrue(resumed.next("hello").get("resumed").asBoolean());
                assertTrue(edge.metric("lasthop_refusals_total{reason=\"session_rate\"}") >= 1);
                Thread.sleep(1100);
                held.add(WsClient.connect(edge, Edge.token(Edge.newUser()), null)); // the bucket refilled
            } finally {
                held.forEach(WsClient::close);
            }
        }
    }

    @Test
    void newSessionsPerSecondAreBoundedPerClientAddress() throws Exception {
        try (Edge edge = new Edge(
                c -> c.set(Settings.NEW_SESSION_RATE_PER_ADDRESS, 1).set(Settings.TRUST_FORWARDED_FOR, true))) {
            // A burst of twice the rate, then 429 for that address and no other.
            for (int i = 0; i < 2; i++) {
                assertEquals(200, stream(edge, "10.0.0.1").status());
            }
            Answer refused = stream(edge, "10.0.0.1");
            assertEquals(429, refused.status());
            assertEquals("1", refused.retryAfter());
            assertTrue(refused.body().contains("\"error\":\"rate_limited\""), refused.body());
            assertEquals(200, stream(edge, "10.0.0.2").status());
            assertEquals(200, stream(edge, "10.0.0.1, 10.0.0.3").status(), "the balancer's own entry counts");
        }
    }

    private record Answer(int status, String retryAfter, String body) {}

    /** Opens a streaming session with a forwarded address, and ends it as soon as it is answered. */
    private static Answer stream(Edge edge, String forwardedFor) throws Exception {
        HttpRequest req = HttpRequest.newBuilder(
                        URI.create(edge.http() + "/lasthop/stream?token=" + Edge.token(Edge.newUser())))
                .header("X-Forwarded-For", forwardedFor)
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<InputStream> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = res.body()) {
            return new Answer(
                    res.statusCode(),
                    res.headers().firstValue("Retry-After").orElse(null),
                    res.statusCode() == 200 ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** Issue finding 5: a long-poll farewell goes only to the connection's own user. */
    @Test
    void aLongPollFarewellIsNotHandedToAnotherUser() throws Exception {
        try (Edge edge = Edge.start()) {
            String victim = Edge.newUser();
            PollClient poll = new PollClient(Edge.token(victim), null);
            poll.poll(edge, null);
            // Taken over by a WebSocket while no poll is held: the poll connection gets a farewell.
            try (WsClient ws = WsClient.connect(edge, Edge.token(victim), poll.session())) {
                ws.next("hello");
                HttpResponse<String> stolen = edge.post(
                        "/lasthop/poll?token=" + Edge.token(Edge.newUser()) + "&session=" + poll.session()
                                + "&connection=" + poll.connection(),
                        "");
                assertTrue(!stolen.body().contains("session_taken_over"), stolen.body());
                JsonNode close = poll.poll(edge, null).get(0);
                assertEquals("close", close.get("t").asText());
                assertEquals(4500, close.get("code").asInt());
            }
        }
    }

    /**
     * A user whose session was closed for flooding (4004) opens and resumes no session on that node
     * for {@code limits.flood.penalty} (and up to half as long again): coming straight back costs
     * it a 429, not a resume with an AMQP channel and another second of frames read. Other users
     * are not held back.
     */
    @Test
    void aUserClosedForFloodingIsShutOutOfTheNodeForThePenalty() throws Exception {
        try (Edge edge = new Edge(c -> c.set(Settings.FLOOD_PENALTY, Duration.ofSeconds(3)))) {
            String user = Edge.newUser();
            String session;
            try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
                session = ws.next("hello").get("session").asText();
                // The budget's burst (80) and its overdraft (1,000) are used up well before 5,000.
                for (int i = 0; i < 5_000 && !ws.isClosed(); i++) {
                    try {
                        ws.send("{\"t\":\"ping\"}");
                    } catch (CompletionException closedMeanwhile) {
                        break;
                    }
                }
                assertEquals(4004, ws.awaitClose());
            }
            WsClient.HandshakeRefused refused = assertThrows(
                    WsClient.HandshakeRefused.class, () -> WsClient.connect(edge, Edge.token(user), session));
            assertEquals(429, refused.status);
            assertTrue(refused.body.contains("rate_limited"), refused.body);
            HttpResponse<String> sse = edge.get("/lasthop/sse?token=" + Edge.token(user));
            assertEquals(429, sse.statusCode(), sse.body());
            long retryAfter =
                    Long.parseLong(sse.headers().firstValue("Retry-After").orElseThrow());
            // The penalty is 3 s plus a random part of up to 1.5 s.
            assertTrue(retryAfter >= 1 && retryAfter <= 5, "Retry-After: " + retryAfter);
            assertEquals(2, edge.metric("lasthop_refusals_total{reason=\"flood_penalty\"}"));

            try (WsClient other = WsClient.connect(edge, Edge.token(Edge.newUser()), null)) {
                other.next("hello");
            }
            // The penalty over, the session resumes with what its queue kept.
            WsClient[] back = new WsClient[1];
            Await.until(
                    () -> {
                        try {
                            back[0] = WsClient.connect(edge, Edge.token(user), session);
                            return true;
                        } catch (WsClient.HandshakeRefused stillShutOut) {
                            assertEquals(429, stillShutOut.status);
                            return false;
                        }
                    },
                    Duration.ofSeconds(10),
                    Duration.ofMillis(250),
                    "a resume once the penalty is over");
            try (WsClient ws = back[0]) {
                assertTrue(ws.next("hello").get("resumed").asBoolean());
            }
        }
    }
}
