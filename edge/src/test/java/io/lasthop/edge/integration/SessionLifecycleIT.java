package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Deadlines and hand-overs: token expiry, ack deadline, heartbeats, resume window, takeover. */
class SessionLifecycleIT {
    static Broker broker;
    static Edge edge;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.JWT_LEEWAY, Duration.ZERO)
                .set(Settings.ACK_TIMEOUT, Duration.ofMillis(1500))
                .set(Settings.HEARTBEAT, Duration.ofMillis(300))
                .set(Settings.RESUME_WINDOW, Duration.ofMillis(1500)));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @Test
    void connectionClosesWhenItsTokenExpires() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user, Duration.ofSeconds(2)), null)) {
            ws.next("hello");
            assertEquals(CloseCode.TOKEN_EXPIRED.code(), ws.awaitClose());
            assertEquals("token_expired", ws.closeReason());
        }
    }

    @Test
    void sseStreamEndsWithACloseFrameWhenItsTokenExpires() {
        String user = Edge.newUser();
        try (SseClient sse = SseClient.connect(edge, Edge.token(user, Duration.ofSeconds(2)), null)) {
            sse.next("hello");
            JsonNode close = sse.next("close");
            assertEquals(CloseCode.TOKEN_EXPIRED.code(), close.get("code").asInt());
            assertTrue(sse.awaitEnd(Broker.timeout()));
        }
    }

    @Test
    void freshTokenInBandKeepsTheConnection() {
        String user = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(user, Duration.ofSeconds(2)), null)) {
            ws.next("hello");
            ws.send("{\"t\":\"auth\",\"token\":\"" + Edge.token(Edge.newUser()) + "\"}");
            assertEquals("token_invalid", ws.next("error").get("code").asText(), "another subject is refused");
            ws.send("{\"t\":\"auth\",\"token\":\"" + Edge.token(user, Duration.ofMinutes(5)) + "\"}");
            assertTrue(ws.next("auth_ok").get("expiresAt").asLong() > System.currentTimeMillis() + 60_000);
            ws.assertNoFrame(Duration.ofMillis(2500)); // past the first token's expiry
            assertFalse(ws.isClosed());
        }
    }

    @Test
    void clientThatNeverAcksIsCutOffAndItsMessagesRequeued() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        try (WsClient ws = WsClient.connect(edge, token, null)) {
            session = ws.next("hello").get("session").asText();
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "never-acked", "{}");
            ws.next("msg");
            assertEquals(CloseCode.ACK_TIMEOUT.code(), ws.awaitClose());
            JsonNode close = ws.next("close");
            assertEquals("ack_timeout", close.get("reason").asText());
        }
        try (WsClient ws = WsClient.connect(edge, token, session)) {
            assertTrue(ws.next("hello").get("resumed").asBoolean());
            JsonNode again = ws.next("msg");
            assertEquals("never-acked", again.get("id").asText());
            ws.ack(again.get("seq").asLong());
        }
    }

    @Test
    void silentWebSocketClientIsDisconnected() {
        try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser()), null, true, false)) {
            ws.next("hello");
            assertEquals(CloseCode.HEARTBEAT_TIMEOUT.code(), ws.awaitClose());
        }
    }

    @Test
    void answeringClientGetsPingsAndStays() {
        try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser()), null)) {
            ws.next("hello");
            for (int i = 0; i < 5; i++) {
                ws.nextPing(Broker.timeout());
            }
            assertFalse(ws.isClosed());
        }
    }

    @Test
    void afterTheResumeWindowANewSessionIsReported() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        String session;
        try (WsClient ws = WsClient.connect(edge, token, null)) {
            session = ws.next("hello").get("session").asText();
        }
        String queue = Edge.queueOf(user, session);
        // A passive declare counts as use and restarts x-expires: probe less often than the window.
        Await.until(
                () -> !broker.queueExists(queue), Duration.ofSeconds(20), Duration.ofSeconds(2), "the queue to expire");
        try (WsClient ws = WsClient.connect(edge, token, session)) {
            JsonNode hello = ws.next("hello");
            assertFalse(hello.get("resumed").asBoolean());
            assertNotEquals(session, hello.get("session").asText());
        }
    }

    @Test
    void resumingALiveSessionTakesItOverWithDeliveriesInOrder() {
        String user = Edge.newUser();
        String token = Edge.token(user);
        try (WsClient first = WsClient.connect(edge, token, null)) {
            String session = first.next("hello").get("session").asText();
            for (int i = 1; i <= 5; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "t-" + i, "{}");
            }
            first.messages(5);
            try (WsClient second = WsClient.connect(edge, token, session)) {
                assertEquals(CloseCode.SESSION_TAKEN_OVER.code(), first.awaitClose());
                assertTrue(second.next("hello").get("resumed").asBoolean());
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "t-6", "{}");
                List<JsonNode> msgs = second.messages(6);
                for (int i = 0; i < 6; i++) {
                    assertEquals("t-" + (i + 1), msgs.get(i).get("id").asText());
                }
            }
        }
    }
}
