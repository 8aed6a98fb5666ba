package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.BrokerProxy;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away under live sessions: connections killed from the broker's side, and the
 * broker application stopped and started. Sessions stay connected, recover at a paced rate, and
 * lose nothing.
 */
class BrokerOutageIT {
    static final int RECOVERY_RATE = 400;
    static Broker broker;
    static Edge edge;

    @BeforeAll
    static void start() {
        broker = new Broker();
        edge = new Edge(c -> c.set(Settings.RECOVERY_RATE, RECOVERY_RATE).set(Settings.AMQP_CONNECTIONS, 2));
    }

    @AfterAll
    static void stop() {
        edge.close();
        broker.close();
    }

    @Test
    void connectionsKilledByTheBrokerRecoverWithNoLoss() throws Exception {
        String wsUser = Edge.newUser();
        String sseUser = Edge.newUser();
        try (WsClient ws = WsClient.connect(edge, Edge.token(wsUser), null);
                SseClient sse = SseClient.connect(edge, Edge.token(sseUser), null)) {
            String wsSession = ws.next("hello").get("session").asText();
            String sseSession = sse.next("hello").get("session").asText();
            for (int i = 1; i <= 3; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, wsUser, "w-" + i, "{}");
                broker.publishJson(AmqpNames.USER_EXCHANGE, sseUser, "s-" + i, "{}");
            }
            ws.messages(3);
            sse.messages(3);
            ws.ack(1);
            sse.ack(1);
            ws.send("{\"t\":\"ping\"}");
            ws.next("pong");
            sse.post("{\"t\":\"ping\"}");
            sse.next("pong");
            double recoveriesBefore = recoveries();

            assertTrue(Broker.closeConnectionsOf(edge.server().nodeId()) >= 4, "the edge's connections were cut");
            Await.until(() -> recoveries() >= recoveriesBefore + 2, Broker.timeout(), "both sessions to recover");
            assertTrue(edge.server().ready());
            assertFalse(ws.isClosed(), "the browser connection survives a broker outage");

            // Unacked deliveries come again, redelivered, in order; then new messages.
            broker.publishJson(AmqpNames.USER_EXCHANGE, wsUser, "w-4", "{}");
            broker.publishJson(AmqpNames.USER_EXCHANGE, sseUser, "s-4", "{}");
            assertIds(ws.messages(3), "w-2", "w-3", "w-4");
            assertIds(sse.messages(3), "s-2", "s-3", "s-4");
            ws.ack(6);
            sse.ack(6);
            ws.send("{\"t\":\"ping\"}");
            ws.next("pong");
            sse.post("{\"t\":\"ping\"}");
            sse.next("pong");
            Await.until(
                    () -> broker.ready(Edge.queueOf(wsUser, wsSession)) == 0
                            && broker.ready(Edge.queueOf(sseUser, sseSession)) == 0,
                    Broker.timeout(),
                    "empty queues");
        }
    }

    @Test
    void unreachableBrokerMeansNotReadyAnd503ThenFullRecovery() throws Exception {
        try (BrokerProxy proxy = new BrokerProxy(5672);
                Edge proxied = new Edge(c -> c.set(Settings.AMQP_URI, proxy.uri()))) {
            String user = Edge.newUser();
            try (WsClient ws = WsClient.connect(proxied, Edge.token(user), null)) {
                ws.next("hello");
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "before", "{}");
                ws.next("msg");

                proxy.cut();
                Await.until(() -> !proxied.server().ready(), Broker.timeout(), "the edge to notice");
                assertEquals(503, proxied.get("/readyz").statusCode());
                assertEquals(200, proxied.get("/healthz").statusCode());
                WsClient.HandshakeRefused refused = assertThrows(
                        WsClient.HandshakeRefused.class, () -> WsClient.connect(proxied, Edge.token(user), null));
                assertEquals(503, refused.status);
                // Published while the edge is cut off: the broker keeps it in the session queue.
                broker.publishJson(AmqpNames.USER_EXCHANGE, user, "during", "{}");
                assertFalse(ws.isClosed(), "browser connections stay open through a broker outage");

                proxy.restore();
                Await.until(() -> proxied.server().ready(), Duration.ofSeconds(30), "the edge to reconnect");
                assertEquals(200, proxied.get("/readyz").statusCode());
                JsonNode again = ws.next("msg", Duration.ofSeconds(30));
                assertEquals("before", again.get("id").asText());
                assertTrue(again.get("redelivered").asBoolean());
                assertEquals("during", ws.next("msg").get("id").asText());
            }
        }
    }

    /**
     * Many sessions come back at once: recovery is paced at the configured rate instead of a storm.
     * Prints the measured time; the benchmark owns the figures at larger N.
     */
    @Test
    void manySessionsRecoverPacedAndAllReceive() throws Exception {
        int n = Integer.getInteger("lasthop.test.outageSessions", 1000);
        List<WsClient> clients = new ArrayList<>(n);
        List<String> users = new ArrayList<>(n);
        List<String> sessions = new ArrayList<>(n);
        try {
            for (int i = 0; i < n; i++) {
                String user = Edge.newUser();
                users.add(user);
                WsClient c = WsClient.connect(edge, Edge.token(user), null);
                clients.add(c);
            }
            for (WsClient c : clients) {
                sessions.add(c.next("hello").get("session").asText());
            }
            double before = recoveries();
            long start = System.nanoTime();
            assertTrue(Broker.closeConnectionsOf(edge.server().nodeId()) >= 4, "the edge's connections were cut");
            Await.until(() -> recoveries() >= before + n, Duration.ofSeconds(60), n + " sessions to recover");
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            System.out.printf(
                    "broker outage: %d sessions re-attached in %d ms (paced at %d/s)%n", n, ms, RECOVERY_RATE);
            Set<String> got = new HashSet<>();
            for (int i = 0; i < n; i++) {
                broker.publishJson(AmqpNames.USER_EXCHANGE, users.get(i), "after-" + i, "{}");
            }
            for (int i = 0; i < n; i++) {
                got.add(clients.get(i).next("msg").get("id").asText());
                assertFalse(clients.get(i).isClosed());
            }
            assertEquals(n, got.size());
        } finally {
            clients.forEach(WsClient::close);
            // A broker with a low file limit cannot recover a thousand durable queues after a
            // restart: leave none behind.
            Await.until(() -> edge.server().sessions().size() == 0, Broker.timeout(), "sessions to close");
            for (int i = 0; i < sessions.size(); i++) {
                broker.channel().queueDelete(Edge.queueOf(users.get(i), sessions.get(i)));
            }
        }
    }

    private static void assertIds(List<JsonNode> msgs, String... ids) {
        for (int i = 0; i < ids.length; i++) {
            assertEquals(ids[i], msgs.get(i).get("id").asText(), "message " + i + " of " + msgs);
        }
        assertTrue(msgs.get(0).get("redelivered").asBoolean());
    }

    private static double recoveries() {
        return edge.server().metrics().sessionRecoveries.count();
    }
}
