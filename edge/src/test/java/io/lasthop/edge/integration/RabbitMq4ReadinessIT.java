package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the edge declares and how it consumes, read back from the broker itself: nothing that
 * RabbitMQ 4 denies by default (transient non-exclusive queues, global QoS) and no classic
 * mirroring, so the same edge runs on 3.x and 4.x.
 */
class RabbitMq4ReadinessIT {

    @Test
    void noTransientSharedQueueNoGlobalQosNoMirroring() throws Exception {
        String node = "edge-rmq4-" + System.nanoTime();
        try (Edge edge = new Edge(c -> c.set(Settings.NODE_ID, node));
                WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser(), List.of("news.#"), List.of()), null)) {
            String session = ws.next("hello").get("session").asText();
            ws.send("{\"t\":\"sub\",\"ref\":1,\"topic\":\"news.#\"}");
            ws.next("ok");

            List<String> checked = new ArrayList<>();
            for (String line : Broker.ctl("-q", "list_queues", "name", "durable", "exclusive", "arguments")
                    .split("\n")) {
                String[] f = line.split("\t");
                if (f.length < 4 || !f[0].startsWith("lasthop.")) {
                    continue;
                }
                boolean durable = Boolean.parseBoolean(f[1]);
                boolean exclusive = Boolean.parseBoolean(f[2]);
                assertTrue(durable || exclusive, "transient non-exclusive queue (denied by RabbitMQ 4): " + line);
                if (f[0].endsWith(session) || f[0].equals("lasthop.node." + node)) {
                    checked.add(f[0]);
                }
                assertFalse(f[3].contains("x-ha-"), "no classic mirroring: " + line);
            }
            assertEquals(2, checked.size(), "the session's queue and the node's control queue were seen: " + checked);

            String policies = Broker.ctl("-q", "list_policies");
            assertFalse(policies.contains("ha-mode"), "no mirroring policy: " + policies);

            // Channels are named after their connection's address; the edge names its connections.
            List<String> edgeConnections = new ArrayList<>();
            for (String line : Broker.ctl("-q", "list_connections", "name", "client_properties")
                    .split("\n")) {
                String[] f = line.split("\t");
                if (f.length == 2 && f[1].contains(node)) {
                    edgeConnections.add(f[0]);
                }
            }
            int edgeChannels = 0;
            for (String line : Broker.ctl("-q", "list_channels", "name", "global_prefetch_count")
                    .split("\n")) {
                String[] f = line.split("\t");
                if (f.length == 2 && edgeConnections.stream().anyMatch(c -> f[0].startsWith(c + " ("))) {
                    edgeChannels++;
                    assertEquals("0", f[1].trim(), "global QoS (denied by RabbitMQ 4): " + line);
                }
            }
            assertTrue(edgeChannels >= 2, "the edge's channels were found: " + edgeChannels);
        }
    }
}
