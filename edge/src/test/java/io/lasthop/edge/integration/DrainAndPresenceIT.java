package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.GetResponse;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import io.lasthop.protocol.CloseCode;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Graceful drain on SIGTERM, and presence events for services. */
class DrainAndPresenceIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void drainTellsClientsToReconnectElsewhereRequeuesAndRefusesNewSessions() throws Exception {
        try (Broker broker = new Broker();
                Edge other = Edge.start();
                Edge draining = new Edge(c -> c.set(Settings.DRAIN_SPREAD, Duration.ofMillis(800))
                        .set(Settings.DRAIN_TIMEOUT, Duration.ofSeconds(10)))) {
            String user = Edge.newUser();
            String token = Edge.token(user);
            String session;
            try (WsClient ws = WsClient.connect(draining, token, null)) {
                session = ws.next("hello").get("session").asText();
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "in-flight", "{}");
                ws.next("msg");
                CompletableFuture<Void> drain =
                        CompletableFuture.runAsync(() -> draining.server().drain());
                JsonNode close = ws.next("close");
                assertEquals(CloseCode.GOING_AWAY.code(), close.get("code").asInt());
                long delay = close.path("reconnectAfterMs").asLong(0);
                assertTrue(delay >= 0 && delay < 800, "a jittered delay within drain.spread: " + delay);
                assertEquals(CloseCode.GOING_AWAY.code(), ws.awaitClose());
                drain.get();
                assertEquals(503, draining.get("/readyz").statusCode());
                WsClient.HandshakeRefused refused =
                        assertThrows(WsClient.HandshakeRefused.class, () -> WsClient.connect(draining, token, session));
                assertEquals(503, refused.status);
            }
            try (WsClient moved = WsClient.connect(other, token, session)) {
                assertTrue(moved.next("hello").get("resumed").asBoolean());
                JsonNode again = moved.next("msg");
                assertEquals("in-flight", again.get("id").asText());
                assertTrue(again.get("redelivered").asBoolean());
            }
        }
    }

    @Test
    void sessionsOpeningAndClosingArePublishedAsPresenceEvents() throws Exception {
        try (Broker broker = new Broker();
                Edge edge = Edge.start()) {
            String tap = broker.tapQueue(AmqpNames.EVENTS_EXCHANGE, "session.*");
            String user = Edge.newUser();
            String session;
            try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
                session = ws.next("hello").get("session").asText();
            }
            GetResponse opened = next(broker, tap, user);
            assertEquals("session.opened", opened.getEnvelope().getRoutingKey());
            JsonNode o = JSON.readTree(opened.getBody());
            assertEquals(session, o.get("session").asText());
            assertEquals("websocket", o.get("transport").asText());
            assertEquals(edge.server().nodeId(), o.get("node").asText());
            String connection = o.get("connection").asText();
            assertEquals(
                    connection + ".session.opened",
                    opened.getProps().getMessageId(),
                    "an event's id names its connection and kind, so a redelivered event can be dropped");
            GetResponse closed = next(broker, tap, user);
            assertEquals("session.closed", closed.getEnvelope().getRoutingKey());
            assertEquals(
                    user,
                    closed.getProps().getHeaders().get(AmqpNames.USER_HEADER).toString());
            assertEquals(connection + ".session.closed", closed.getProps().getMessageId());
        }
    }

    /** The next event of {@code user}: other tests' sessions may publish events too. */
    private static GetResponse next(Broker broker, String tap, String user) throws Exception {
        for (int i = 0; i < 1000; i++) {
            GetResponse r = broker.await(tap);
            assertNotNull(r, "no presence event");
            if (JSON.readTree(r.getBody()).get("user").asText().equals(user)) {
                return r;
            }
        }
        throw new AssertionError("no event for " + user);
    }
}
