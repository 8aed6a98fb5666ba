package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import io.lasthop.edge.auth.DevTokens;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of bad input gets a clear error, loses nothing, and leaves a bystander session on the
 * same node untouched: each test ends by checking that the bystander still receives.
 */
class BadInputIT {
    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_FRAME = 4096;
    static Broker broker;
    static Edge edge;

    String bystanderUser;
    WsClient bystander;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.MAX_FRAME_BYTES, MAX_FRAME));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @BeforeEach
    void connectBystander() {
        bystanderUser = Edge.newUser();
        bystander = WsClient.connect(edge, Edge.token(bystanderUser), null);
        bystander.next("hello");
    }

    @AfterEach
    void bystanderUnaffected() {
        String id = "bystander-" + System.nanoTime();
        broker.publishJson(AmqpNames.USER_EXCHANGE, bystanderUser, id, "{}");
        JsonNode msg = bystander.next("msg");
        assertEquals(id, msg.get("id").asText());
        bystander.ack(msg.get("seq").asLong());
        assertFalse(bystander.isClosed());
        bystander.close();
    }

    @Test
    void missingTokenIs401BeforeUpgrade() throws Exception {
        HttpResponse<String> res = edge.get("/lasthop/sse");
        assertEquals(401, res.statusCode());
        assertEquals("token_missing", JSON.readTree(res.body()).get("error").asText());
        WsClient.HandshakeRefused refused =
                assertThrows(WsClient.HandshakeRefused.class, () -> WsClient.connect(edge, "", null));
        assertEquals(401, refused.status);
    }

    @Test
    void invalidTokenIs401() throws Exception {
        String forged = DevTokens.mint(
                "another-secret-another-secret-another!!".getBytes(StandardCharsets.UTF_8),
                "mallory",
                Duration.ofMinutes(5));
        try (SseClient sse = SseClient.connect(edge, forged, null)) {
            assertEquals(401, sse.status());
            assertEquals(
                    "token_invalid", JSON.readTree(sse.errorBody()).get("error").asText());
        }
        WsClient.HandshakeRefused refused =
                assertThrows(WsClient.HandshakeRefused.class, () -> WsClient.connect(edge, "not.a.jwt", null));
        assertEquals(401, refused.status);
    }

    @Test
    void expiredTokenIs401() throws Exception {
        String expired = DevTokens.mint(
                Edge.SECRET.getBytes(StandardCharsets.UTF_8),
                new JWTClaimsSet.Builder()
                        .subject("late")
                        .expirationTime(Date.from(Instant.now().minusSeconds(60)))
                        .build());
        try (SseClient sse = SseClient.connect(edge, expired, null)) {
            assertEquals(401, sse.status());
            assertEquals(
                    "token_expired", JSON.readTree(sse.errorBody()).get("error").asText());
        }
        WsClient.HandshakeRefused refused =
                assertThrows(WsClient.HandshakeRefused.class, () -> WsClient.connect(edge, expired, null));
        assertEquals(401, refused.status);
    }

    @Test
    void malformedJsonGetsAnErrorFrameAndTheConnectionStays() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            ws.send("{\"t\":\"ack\", oops");
            assertEquals("bad_frame", ws.next("error").get("code").asText());
            ws.send("[1,2]");
            assertEquals("bad_frame", ws.next("error").get("code").asText());
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "after-bad", "{}");
            assertEquals("after-bad", ws.next("msg").get("id").asText());
        }
    }

    @Test
    void unknownFrameTypeGetsAnErrorFrame() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            ws.send("{\"t\":\"explode\"}");
            JsonNode err = ws.next("error");
            assertEquals("unknown_frame_type", err.get("code").asText());
            assertTrue(err.get("message").asText().contains("explode"));
            ws.send("{\"t\":\"ping\"}");
            ws.next("pong");
        }
    }

    @Test
    void oversizeFrameClosesWith1009AndLosesNothing() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        try (WsClient ws = WsClient.connect(edge, token, null)) {
            session = ws.next("hello").get("session").asText();
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "held", "{}");
            ws.next("msg");
            ws.send("{\"t\":\"ping\",\"pad\":\"" + "x".repeat(MAX_FRAME) + "\"}");
            assertEquals(1009, ws.awaitClose());
        }
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
        try (WsClient ws = WsClient.connect(edge, token, session)) {
            assertTrue(ws.next("hello").get("resumed").asBoolean());
            JsonNode again = ws.next("msg");
            assertEquals("held", again.get("id").asText());
            assertTrue(again.get("redelivered").asBoolean());
        }
    }

    @Test
    void oversizePostIs413() throws Exception {
        String user = Edge.newUser();
        try (SseClient sse = SseClient.connect(edge, Edge.token(user), null)) {
            sse.next("hello");
            HttpResponse<String> res = sse.post("[" + "{\"t\":\"ping\"},".repeat(MAX_FRAME / 10) + "{\"t\":\"ping\"}]");
            assertEquals(413, res.statusCode());
            assertEquals(
                    "frame_too_large", JSON.readTree(res.body()).get("error").asText());
        }
    }

    @Test
    void ackForUnknownDeliveryGetsAnErrorFrame() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
            ws.next("hello");
            ws.ack(42);
            JsonNode err = ws.next("error");
            assertEquals("unknown_delivery", err.get("code").asText());
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "real", "{}");
            assertEquals(1, ws.next("msg").get("seq").asLong());
            ws.ack(1);
            ws.ack(1); // a repeated ack is harmless
            ws.send("{\"t\":\"ping\"}");
            ws.next("pong");
        }
    }

    @Test
    void malformedPostBodyIs400AndAppliesNothing() throws Exception {
        String user = Edge.newUser();
        String session;
        try (SseClient sse = SseClient.connect(edge, Edge.token(user), null)) {
            session = sse.next("hello").get("session").asText();
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "keep", "{}");
            sse.next("msg");
            HttpResponse<String> res = sse.post("[{\"t\":\"ack\",\"seq\":1},{\"t\":");
            assertEquals(400, res.statusCode());
            assertEquals("bad_frame", JSON.readTree(res.body()).get("error").asText());
            res = sse.post("[{\"t\":\"ack\",\"seq\":1},{\"t\":\"nope\"}]");
            assertEquals(400, res.statusCode());
            assertEquals(
                    "unknown_frame_type", JSON.readTree(res.body()).get("error").asText());
            assertEquals(204, sse.post("{\"t\":\"ping\"}").statusCode());
            sse.next("pong");
        }
        // Neither batch applied its ack: closing requeued the message.
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
        assertEquals(1, broker.ready(Edge.queueOf(user, session)));
    }

    @Test
    void unknownOrForeignSessionIdStartsANewSessionNeverAnotherUsersQueue() {
        String alice = Edge.newUser();
        String mallory = Edge.newUser();
        try (WsClient a = WsClient.connect(edge, Edge.token(alice), null)) {
            String aliceSession = a.next("hello").get("session").asText();
            try (WsClient m = WsClient.connect(edge, Edge.token(mallory), aliceSession)) {
                JsonNode hello = m.next("hello");
                assertFalse(hello.get("resumed").asBoolean());
                assertNotEquals(aliceSession, hello.get("session").asText());
                broker.publishJson(AmqpNames.USER_EXCHANGE, alice, "for-alice", "{}");
                assertEquals("for-alice", a.next("msg").get("id").asText());
                m.assertNoFrame(Duration.ofMillis(300));
                assertFalse(a.isClosed(), "mallory's attempt did not take over alice's session");
            }
            String unknown = AmqpNames.newSessionId();
            try (WsClient again = WsClient.connect(edge, Edge.token(alice), unknown)) {
                JsonNode hello = again.next("hello");
                assertFalse(hello.get("resumed").asBoolean());
                assertNotEquals(unknown, hello.get("session").asText());
            }
        }
    }

    @Test
    void postForAnotherUsersSessionReachesNothing() throws Exception {
        String alice = Edge.newUser();
        try (SseClient a = SseClient.connect(edge, Edge.token(alice), null)) {
            String session = a.next("hello").get("session").asText();
            HttpResponse<String> res = edge.post(
                    "/lasthop/frames?token=" + Edge.token(Edge.newUser()) + "&session=" + session + "&connection="
                            + a.connection(),
                    "{\"t\":\"ping\"}");
            // Not held here under mallory's user: handed on to other nodes, where it names a queue
            // derived from mallory's id, so it can never reach alice's session.
            assertEquals(202, res.statusCode());
            a.assertNoFrame(Duration.ofMillis(300));
        }
    }

    @Test
    void lateAckFromAGoneConnectionCannotAckTheNextConnectionsDeliveries() throws Exception {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        String oldConnection;
        try (SseClient first = SseClient.connect(edge, token, null)) {
            JsonNode hello = first.next("hello");
            session = hello.get("session").asText();
            oldConnection = hello.get("connection").asText();
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "late-1", "{}");
            first.next("msg");
        }
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
        try (SseClient second = SseClient.connect(edge, token, session)) {
            assertTrue(second.next("hello").get("resumed").asBoolean());
            assertEquals("late-1", second.next("msg").get("id").asText());
            // The first stream's ack, arriving late: seq 1 exists on the new connection too.
            HttpResponse<String> res = second.post(session, oldConnection, "{\"t\":\"ack\",\"seq\":1}");
            assertEquals(409, res.statusCode());
            assertEquals(
                    "stale_connection", JSON.readTree(res.body()).get("error").asText());
        }
        Await.until(() -> edge.server().sessions().find(user, session) == null, Broker.timeout(), "close");
        assertEquals(1, broker.ready(Edge.queueOf(user, session)), "the late ack acked nothing");
    }

    @Test
    void postWithoutConnectionIs400() throws Exception {
        try (SseClient sse = SseClient.connect(edge, Edge.token(Edge.newUser()), null)) {
            String session = sse.next("hello").get("session").asText();
            assertEquals(400, sse.post(session, "", "{\"t\":\"ping\"}").statusCode());
        }
    }

    @Test
    void malformedSessionIdIs400() throws Exception {
        HttpResponse<String> res = edge.get("/lasthop/sse?token=" + Edge.token(Edge.newUser()) + "&session=../etc");
        assertEquals(400, res.statusCode());
        assertEquals("bad_session_id", JSON.readTree(res.body()).get("error").asText());
    }

    @Test
    void binaryMessageGetsAnErrorFrame() {
        try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser()), null)) {
            ws.next("hello");
            ws.sendBinary(new byte[] {1, 2, 3});
            assertEquals("bad_frame", ws.next("error").get("code").asText());
        }
    }

    @Test
    void plainGetOnWebSocketPathIs400AndUnknownPathIs404() throws Exception {
        assertEquals(400, edge.get("/lasthop/ws?token=x").statusCode());
        HttpResponse<String> res = edge.get("/nope");
        assertEquals(404, res.statusCode());
        assertEquals("not_found", JSON.readTree(res.body()).get("error").asText());
    }
}
