package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.PrivateBroker;
import io.lasthop.edge.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * At default settings the edge opens AMQP connections as its sessions fill them, whatever the
 * broker's channel_max: on a broker that allows 8 channels a connection, 30 sessions get the
 * connections they need instead of 503, and a session past the bound is refused and counted.
 */
class SelfSizingIT {

    @Test
    void connectionsFollowTheSessionsUpToTheirBound() throws Exception {
        try (PrivateBroker broker = PrivateBroker.start("channel_max = 8\n");
                Edge edge = new Edge(c -> c.set(Settings.AMQP_URI, broker.uri()).set(Settings.MAX_CONNECTIONS, 40))) {
            assertEquals(2, edge.metric("lasthop_amqp_connections"), "two to start with");
            List<WsClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 30; i++) {
                    WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser()), null);
                    clients.add(ws);
                    ws.next("hello");
                }
                double open = edge.metric("lasthop_amqp_connections");
                System.out.printf(
                        "self-sizing: 30 sessions on a broker of 8 channels a connection: %.0f connections%n", open);
                assertTrue(open >= 4, "30 sessions need at least 4 connections of 8 channels: " + open);
                assertEquals(0, edge.metric("lasthop_amqp_channel_refusals_total"));
            } finally {
                clients.forEach(WsClient::close);
            }
        }
    }
}
