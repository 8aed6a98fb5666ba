package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.EdgeProcess;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A service cuts a user or one session off with a stock AMQP client: a JSON message to the
 * fanout exchange {@code lasthop.revoke}. Two edge processes: the user's sessions
 * on both end with 4501 {@code revoked}, the user's older tokens are refused on both, newer ones
 * are not, and queues go when asked.
 */
class RevocationIT {
    private static final Map<String, String> FAST = Map.of("LASTHOP_HEARTBEAT", "2s");
    private static EdgeProcess a;
    private static EdgeProcess b;
    private static Broker broker;

    @BeforeAll
    static void start() throws Exception {
        broker = new Broker();
        a = EdgeProcess.start("revoke-a", FAST);
        b = EdgeProcess.start("revoke-b", FAST);
    }

    @AfterAll
    static void stop() throws Exception {
        a.close();
        b.close();
        broker.close();
    }

    @Test
    void revokingAUserClosesItsSessionsOnEveryNodeAndRefusesItsOlderTokens() throws Exception {
        String user = Edge.newUser();
        String token = Edge.token(user);
        try (WsClient onA = WsClient.connect(a, token, null);
                SseClient onB = SseClient.connect(b, token, null);
                WsClient bystander = WsClient.connect(b, Edge.token(Edge.newUser()), null)) {
            String sessionA = onA.next("hello").get("session").asText();
            onB.next("hello");
            bystander.next("hello");
            Thread.sleep(1100); // the revocation comes in a later second than the token's iat

            revoke("{\"user\":\"" + user + "\",\"deleteQueues\":true}");

            assertEquals(4501, onA.awaitClose());
            assertEquals("revoked", onA.closeReason());
            JsonNode close = onB.next("close");
            assertEquals(4501, close.get("code").asInt());
            assertTrue(onB.awaitEnd(Broker.timeout()));
            Await.until(
                    () -> !broker.queueExists(Edge.queueOf(user, sessionA)),
                    Broker.timeout(),
                    "the revoked session's queue to be deleted");
            assertFalse(bystander.isClosed(), "other users are not touched");

            for (EdgeProcess node : new EdgeProcess[] {a, b}) {
                WsClient.HandshakeRefused refused =
                        assertThrows(WsClient.HandshakeRefused.class, () -> WsClient.connect(node, token, null));
                assertEquals(401, refused.status);
                assertTrue(refused.body.contains("token_revoked"), refused.body);
            }
            Thread.sleep(1100); // iat has whole seconds: a token of the revocation's second is refused too
            try (WsClient fresh = WsClient.connect(a, Edge.token(user), null)) {
                assertFalse(fresh.next("hello").get("resumed").asBoolean(), "a token issued after it is accepted");
            }
        }
    }

    @Test
    void revokingOneSessionClosesOnlyIt() throws Exception {
        String user = Edge.newUser();
        try (WsClient one = WsClient.connect(a, Edge.token(user), null);
                WsClient other = WsClient.connect(b, Edge.token(user), null)) {
            String session = one.next("hello").get("session").asText();
            other.next("hello");
            revoke("{\"user\":\"" + user + "\",\"session\":\"" + session + "\"}");
            assertEquals(4501, one.awaitClose());
            broker.publishJson(AmqpNames.USER_EXCHANGE, user, "after", "{}");
            assertEquals("after", other.next("msg").get("id").asText(), "the user's other session goes on");
            assertTrue(broker.queueExists(Edge.queueOf(user, session)), "its queue stays: not asked to delete it");
            try (WsClient again = WsClient.connect(b, Edge.token(user), session)) {
                assertTrue(again.next("hello").get("resumed").asBoolean(), "tokens are not refused for a session");
            }
        }
    }

    @Test
    void aSessionHeldByNoNodeCanHaveItsQueueDeleted() throws Exception {
        String user = Edge.newUser();
        String session;
        try (WsClient ws = WsClient.connect(a, Edge.token(user), null)) {
            session = ws.next("hello").get("session").asText();
        }
        Await.until(() -> broker.consumers(Edge.queueOf(user, session)) == 0, Broker.timeout(), "the consumer to go");
        revoke("{\"user\":\"" + user + "\",\"session\":\"" + session + "\",\"deleteQueues\":true}");
        Await.until(() -> !broker.queueExists(Edge.queueOf(user, session)), Broker.timeout(), "the queue to go");
    }

    private static void revoke(String json) {
        broker.publish(
                AmqpNames.REVOKE_EXCHANGE,
                "",
                new AMQP.BasicProperties.Builder()
                        .contentType("application/json")
                        .build(),
                json.getBytes(StandardCharsets.UTF_8));
    }
}
