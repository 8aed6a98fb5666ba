package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.PrivateCluster;
import io.lasthop.edge.testing.SseClient;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The edge on a 3-node RabbitMQ cluster of the test's own: sessions spread over the nodes with
 * their queues next to their consumers; a node killed (kill -9) under a steady publish, with
 * classic queues (the sessions whose queue was there are told at once, with 4102 session_lost; the
 * others lose nothing) and with quorum queues (nothing lost, nobody closed); the control plane
 * after its node died.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {
    private static final int SESSIONS = 24;
    private static PrivateCluster cluster;

    @BeforeAll
    static void start() throws Exception {
        cluster = PrivateCluster.start(3);
    }

    @AfterAll
    static void stop() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
    }

    private static Edge edge(String queueType) {
        return new Edge(c -> c.set(Settings.AMQP_URI, cluster.uri(1))
                .set(Settings.AMQP_ADDRESSES, cluster.addresses())
                .set(Settings.AMQP_CONNECTIONS, 3)
                .set(Settings.QUEUE_TYPE, queueType)
                .set(Settings.QUEUE_OVERFLOW, queueType.equals("quorum") ? "drop-head" : "reject-publish-dlx")
                .set(Settings.HEARTBEAT, Duration.ofSeconds(2)));
    }

    @Test
    @Order(1)
    void sessionsSpreadOverTheNodesWithTheirQueuesNextToTheirConsumers() throws Exception {
        try (Edge edge = edge("classic");
                Clients clients = Clients.open(edge, SESSIONS)) {
            Map<Integer, Integer> perNode = new HashMap<>();
            for (String q : clients.queues()) {
                perNode.merge(cluster.queueNode(q), 1, Integer::sum);
            }
            System.out.println("cluster: session queues per broker node " + perNode);
            assertEquals(Set.of(1, 2, 3), perNode.keySet(), "every node holds sessions");
            long local = cluster.consumers().stream()
                    .filter(c -> clients.queues().contains(c.queue()))
                    .filter(PrivateCluster.ConsumerInfo::local)
                    .count();
            assertEquals(SESSIONS, local, "every session's queue lives on its consumer's node");
        }
    }

    @Test
    @Order(2)
    void losingANodeWithClassicQueuesIsSignalledToItsSessionsAndCostsTheOthersNothing() throws Exception {
        try (Edge edge = edge("classic");
                Clients clients = Clients.open(edge, SESSIONS);
                Publisher publisher = new Publisher(cluster.uri(3))) {
            int victim = 1;
            Set<String> onVictim = new HashSet<>();
            for (int i = 0; i < SESSIONS; i++) {
                if (cluster.queueNode(clients.queue(i)) == victim) {
                    onVictim.add(clients.users.get(i));
                }
            }
            assertFalse(onVictim.isEmpty());
            publisher.toEach(clients.users, "before");
            clients.receiveAll("before");

            long killed = System.nanoTime();
            cluster.kill9(victim);
            for (int i = 0; i < SESSIONS; i++) {
                if (onVictim.contains(clients.users.get(i))) {
                    assertEquals(4102, clients.ws.get(i).awaitClose(), "told its queue's node is gone");
                    assertEquals("session_lost", clients.ws.get(i).closeReason());
                }
            }
            System.out.printf(
                    "cluster: %d sessions on the killed node told within %d ms%n",
                    onVictim.size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed));

            List<String> survivors = new ArrayList<>(clients.users);
            survivors.removeAll(onVictim);
            publisher.toEach(survivors, "after");
            for (int i = 0; i < SESSIONS; i++) {
                if (!onVictim.contains(clients.users.get(i))) {
                    assertFalse(clients.ws.get(i).isClosed(), "a session on a surviving node is not closed");
                    clients.receive(i, "after");
                }
            }
        } finally {
            cluster.restart(1);
        }
    }

    @Test
    @Order(3)
    void losingTheLeaderOfQuorumQueuesLosesNothing() throws Exception {
        try (Edge edge = edge("quorum");
                Clients clients = Clients.open(edge, 9);
                Publisher publisher = new Publisher(cluster.uri(3))) {
            List<String> expected = new ArrayList<>();
            for (int round = 0; round < 20; round++) {
                if (round == 5) {
                    cluster.kill9(1);
                }
                String id = "q-" + round;
                publisher.toEach(clients.users, id);
                expected.add(id);
                Thread.sleep(50);
            }
            for (int i = 0; i < clients.ws.size(); i++) {
                assertEquals(expected, clients.received(i, expected.size()), "every message, in order, once");
                assertFalse(clients.ws.get(i).isClosed());
            }
        } finally {
            cluster.restart(1);
        }
    }

    @Test
    @Order(4)
    void theControlPlaneComesBackOnASurvivingNode() throws Exception {
        // Quorum queues: the node killed is the control connection's, and must not end the session too.
        try (Edge a = edge("quorum");
                Edge b = edge("quorum")) {
            String user = Edge.newUser();
            try (SseClient sse = SseClient.connect(a, Edge.token(user), null)) {
                sse.next("hello");
                int node = controlNode(a);
                cluster.kill9(node);
                Await.until(() -> a.server().ready() && b.server().ready(), Duration.ofSeconds(30), "both edges back");
                // A ping posted to the node that does not hold the session is forwarded to the one that does.
                Await.until(
                        () -> {
                            sse.postVia(b, "{\"t\":\"ping\"}");
                            try {
                                sse.next("pong", Duration.ofMillis(500));
                                return true;
                            } catch (AssertionError notYet) {
                                return false;
                            }
                        },
                        Duration.ofSeconds(30),
                        "a forwarded ping to be answered");
            } finally {
                cluster.restart(controlNodeOrOne());
            }
        }
    }

    private static int lastKilled;

    /** The node that holds an edge's control connection, from the pid of the connection's process. */
    private static int controlNode(Edge edge) throws Exception {
        String name = "lasthop-edge " + edge.server().nodeId() + " control";
        for (String line : cluster.rabbitmqctl(2, "-q", "list_connections", "pid", "client_properties")
                .split("\n")) {
            if (line.contains(name) && line.startsWith("<")) {
                String pid = line.substring(1, line.indexOf('>'));
                // <node@host.N.N.N>: the node's name is all but the last three dotted numbers.
                String node = pid.replaceAll("(\\.\\d+){3}$", "");
                lastKilled = cluster.indexOf(node);
                return lastKilled;
            }
        }
        throw new AssertionError(
                "no node holds the control connection of " + edge.server().nodeId());
    }

    private static int controlNodeOrOne() {
        return lastKilled == 0 ? 1 : lastKilled;
    }

    /** WebSocket sessions of distinct users on one edge. */
    private static final class Clients implements AutoCloseable {
        final List<String> users = new ArrayList<>();
        final List<String> sessions = new ArrayList<>();
        final List<WsClient> ws = new ArrayList<>();
        final Map<Integer, LinkedHashSet<String>> seen = new HashMap<>();

        static Clients open(Edge edge, int n) {
            Clients c = new Clients();
            for (int i = 0; i < n; i++) {
                String user = Edge.newUser();
                WsClient client = WsClient.connect(edge, Edge.token(user), null);
                c.users.add(user);
                c.ws.add(client);
                c.sessions.add(client.next("hello").get("session").asText());
            }
            return c;
        }

        String queue(int i) {
            return Edge.queueOf(users.get(i), sessions.get(i));
        }

        List<String> queues() {
            List<String> q = new ArrayList<>();
            for (int i = 0; i < users.size(); i++) {
                q.add(queue(i));
            }
            return q;
        }

        void receiveAll(String prefix) {
            for (int i = 0; i < ws.size(); i++) {
                receive(i, prefix);
            }
        }

        /** Waits for the message with id prefix-user, acking what arrives. */
        void receive(int i, String prefix) {
            String want = prefix + "-" + users.get(i);
            long deadline = System.nanoTime() + Broker.timeout().toNanos();
            while (System.nanoTime() < deadline
                    && !seen.computeIfAbsent(i, k -> new LinkedHashSet<>()).contains(want)) {
                JsonNode m = ws.get(i).next("msg");
                seen.get(i).add(m.get("id").asText());
                ws.get(i).ack(m.get("seq").asLong());
            }
            assertTrue(seen.get(i).contains(want), "session " + i + " got " + want);
        }

        /** The ids of the first n distinct messages, in order of first arrival; redeliveries dropped by id. */
        List<String> received(int i, int n) {
            LinkedHashSet<String> ids = new LinkedHashSet<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (ids.size() < n && System.nanoTime() < deadline) {
                JsonNode m = ws.get(i).next("msg", Duration.ofSeconds(30));
                ids.add(m.get("id").asText().replace("-" + users.get(i), ""));
                ws.get(i).ack(m.get("seq").asLong());
            }
            return new ArrayList<>(ids);
        }

        @Override
        public void close() {
            ws.forEach(WsClient::close);
        }
    }

    /** A service publishing through one node, with confirms: what it publishes is safe in the cluster. */
    private static final class Publisher implements AutoCloseable {
        final Connection connection;
        final Channel channel;

        Publisher(String uri) throws Exception {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(uri);
            connection = f.newConnection("cluster-it publisher");
            channel = connection.createChannel();
            channel.confirmSelect();
        }

        void toEach(List<String> users, String prefix) throws Exception {
            for (String user : users) {
                channel.basicPublish(
                        AmqpNames.USER_EXCHANGE,
                        AmqpNames.userRoutingKey(user),
                        false,
                        new AMQP.BasicProperties.Builder()
                                .messageId(prefix + "-" + user)
                                .deliveryMode(2)
                                .contentType("application/json")
                                .build(),
                        "{}".getBytes(StandardCharsets.UTF_8));
            }
            channel.waitForConfirmsOrDie(10_000);
        }

        @Override
        public void close() throws Exception {
            connection.close();
        }
    }
}
