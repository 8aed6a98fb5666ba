package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.lasthop.edge.cli.PublishCommand;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** Health, readiness, metrics, dev tokens and the command-line publisher. */
class OpsEndpointsIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void healthReadinessAndMetricsReflectTheNode() throws Exception {
        try (Edge edge = Edge.start()) {
            assertEquals(200, edge.get("/healthz").statusCode());
            assertEquals(200, edge.get("/readyz").statusCode());
            assertEquals(404, edge.get("/dev/token?sub=x").statusCode(), "no dev tokens outside dev mode");
            try (WsClient ws = WsClient.connect(edge, Edge.token(Edge.newUser()), null)) {
                ws.next("hello");
                HttpResponse<String> metrics = edge.get("/metrics");
                assertEquals(200, metrics.statusCode());
                String text = metrics.body();
                assertTrue(text.contains("lasthop_connections{transport=\"websocket\"} 1.0"), text);
                assertTrue(text.contains("lasthop_sessions 1.0"), text);
                assertTrue(text.contains("lasthop_broker_connected 1.0"), text);
                assertTrue(text.contains("lasthop_sessions_opened_total{resumed=\"false\"} 1.0"), text);
            }
            assertTrue(edge.get("/metrics").body().contains("lasthop_auth_failures_total"));
        }
    }

    @Test
    void devModeMintsTokensTheEdgeAccepts() throws Exception {
        try (Edge dev = new Edge(c -> c.set(Settings.DEV, true).set(Settings.JWT_HS256_SECRET, null))) {
            HttpResponse<String> res = dev.get("/dev/token?sub=alice");
            assertEquals(200, res.statusCode());
            String token = JSON.readTree(res.body()).get("token").asText();
            try (WsClient ws = WsClient.connect(dev, token, null)) {
                assertEquals("alice", ws.next("hello").get("user").asText());
            }
            assertEquals(400, dev.get("/dev/token").statusCode());
        }
    }

    @Test
    void commandLinePublisherReachesTheUser() throws Exception {
        try (Edge edge = Edge.start()) {
            String user = Edge.newUser();
            try (WsClient ws = WsClient.connect(edge, Edge.token(user), null)) {
                ws.next("hello");
                assertEquals(0, PublishCommand.run(new String[] {"publish", user, "{\"cli\":true}"}, Broker.URI));
                assertTrue(ws.next("msg").get("body").get("cli").asBoolean());
            }
        }
    }
}
