package io.lasthop.ops;

import static io.lasthop.ops.OpsKit.tool;
import static io.lasthop.ops.ThroughHaproxy.serverState;
import static io.lasthop.ops.ThroughHaproxy.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.Haproxy;
import io.lasthop.ops.ThroughHaproxy.SseLines;
import io.lasthop.ops.ThroughHaproxy.Ws;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Live check of HAProxy's local config in front of two running edges, against the real broker. */
class HaproxyBalancingIT {
    /**
     * The local config, on free ports, in front of two real edges: round-robin, streaming through,
     * and a drain (what SIGTERM does) that moves new connections to the other node at once.
     */
    @Test
    void haproxyLocalConfigBalancesTwoEdgesAndDrainsOne() throws Exception {
        tool("haproxy", "apt-get install -y haproxy");
        String suffix = UUID.randomUUID().toString().substring(0, 6);
        try (Edge a = new Edge(c -> c.set(Settings.NODE_ID, "opskit-a-" + suffix));
                Edge b = new Edge(c -> c.set(Settings.NODE_ID, "opskit-b-" + suffix));
                Broker broker = new Broker()) {
            String nodeA = a.server().nodeId();
            String nodeB = b.server().nodeId();
            try (Haproxy lb = Haproxy.start(a.server().port(), b.server().port())) {
                int stats = lb.statsPort();
                Path log = lb.log();
                String base = lb.http();
                Await.until(
                        () -> serverState(stats, "edge-1", "UP") && serverState(stats, "edge-2", "UP"),
                        Duration.ofSeconds(15),
                        "HAProxy to see both edges ready:\n" + readQuietly(log));

                // Round-robin, no stickiness: consecutive WebSockets land on both nodes.
                Set<String> nodes = new TreeSet<>();
                for (int i = 0; i < 4; i++) {
                    try (Ws ws = Ws.open(base, Edge.token(Edge.newUser()))) {
                        nodes.add(ws.node());
                    }
                }
                assertEquals(new TreeSet<>(Set.of(nodeA, nodeB)), nodes);

                // SSE through HAProxy: the message arrives as an event, not held in a buffer.
                String user = Edge.newUser();
                try (SseLines sse = SseLines.open(
                        base + "/lasthop/sse?token=" + URLEncoder.encode(Edge.token(user), StandardCharsets.UTF_8))) {
                    assertEquals(200, sse.status);
                    assertTrue(sse.nextData().contains("\"t\":\"hello\""));
                    broker.publishJson(
                            AmqpNames.USER_EXCHANGE,
                            AmqpNames.userRoutingKey(user),
                            "opskit-" + suffix,
                            "{\"via\":\"haproxy\"}");
                    String msg = sse.nextData();
                    assertTrue(msg.contains("\"t\":\"msg\"") && msg.contains("haproxy"), msg);
                }

                assertEquals(404, status(base + "/metrics"), "/metrics is not served to browsers");
                assertEquals(200, status(base + "/readyz"));

                // Drain node A, as SIGTERM does, while a browser is connected to it.
                Ws onA = null;
                for (int i = 0; i < 6 && onA == null; i++) {
                    Ws ws = Ws.open(base, Edge.token(Edge.newUser()));
                    if (ws.node().equals(nodeA)) {
                        onA = ws;
                    } else {
                        ws.close();
                    }
                }
                assertTrue(onA != null, "round-robin gave no connection to " + nodeA);
                Thread drain = new Thread(a.server()::drain, "opskit-drain");
                drain.start();
                Await.until(
                        () -> status(a.http() + "/readyz") == 503,
                        Duration.ofSeconds(5),
                        nodeA + " to report draining");
                // HAProxy's checks have not caught up yet, but a draining node's 503 is retried on
                // the other node (retry-on 503): no browser sees the refusal.
                for (int i = 0; i < 4; i++) {
                    try (Ws ws = Ws.open(base, Edge.token(Edge.newUser()))) {
                        assertEquals(nodeB, ws.node(), "new connections go to the node that is not draining");
                    }
                }
                // The drained node ends its own connections with 4000 going_away; HAProxy does not cut them.
                assertEquals(4000, onA.awaitClose(Duration.ofSeconds(15)));
                Await.until(
                        () -> serverState(stats, "edge-1", "DOWN"),
                        Duration.ofSeconds(20),
                        "HAProxy to mark the draining edge down (its /readyz is 503)");
                drain.join(30_000);
            }
        }
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }
}
