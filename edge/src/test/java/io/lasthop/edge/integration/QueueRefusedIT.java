package io.lasthop.edge.integration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The broker refuses a new session's queue (here: the virtual host's queue limit). Session queues
 * are declared without waiting for the broker's answer, so the refusal surfaces on the next call
 * of the setup: the browser must still get a clear 503 at once, the channel must not leak, a
 * bystander must keep receiving, and sessions must open again once the broker accepts queues.
 */
class QueueRefusedIT {
    static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void refusedQueueIs503AndLosesNothing() throws Exception {
        String vhost = "lasthop-test-" + Long.toString(System.nanoTime(), 36);
        URI shared = URI.create(Broker.URI);
        String uri = shared.getScheme() + "://" + shared.getRawUserInfo() + "@" + shared.getHost() + ":"
                + shared.getPort() + "/" + vhost;
        Broker.ctl("add_vhost", vhost);
        try {
            Broker.ctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*");
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(uri);
            try (Edge edge = new Edge(c -> c.set(Settings.AMQP_URI, uri));
                    Connection conn = f.newConnection("lasthop-test queue-refused")) {
                String bystanderUser = Edge.newUser();
                WsClient bystander = WsClient.connect(edge, Edge.token(bystanderUser), null);
                bystander.next("hello");
                Channel ch = conn.createChannel();
                long queues = Broker.ctl("list_queues", "-q", "--no-table-headers", "-p", vhost, "name")
                        .lines()
                        .filter(l -> !l.isBlank())
                        .count();
                Broker.ctl("set_vhost_limits", "-p", vhost, "{\"max-queues\": " + queues + "}");

                long channelsBefore = channels(vhost);
                for (int i = 0; i < 3; i++) {
                    WsClient.HandshakeRefused refused = assertThrows(
                            WsClient.HandshakeRefused.class,
                            () -> WsClient.connect(edge, Edge.token(Edge.newUser()), null));
                    assertEquals(503, refused.status);
                    assertEquals(
                            "unavailable",
                            JSON.readTree(refused.body).get("error").asText());
                }
                assertEquals(channelsBefore, channels(vhost), "a refused session must not leave its channel open");

                String id = "still-there-" + System.nanoTime();
                ch.basicPublish(
                        AmqpNames.USER_EXCHANGE,
                        bystanderUser,
                        new AMQP.BasicProperties.Builder()
                                .messageId(id)
                                .contentType("application/json")
                                .build(),
                        "{}".getBytes(StandardCharsets.UTF_8));
                JsonNode msg = bystander.next("msg");
                assertEquals(id, msg.get("id").asText());
                bystander.ack(msg.get("seq").asLong());
                assertFalse(bystander.isClosed());

                Broker.ctl("clear_vhost_limits", "-p", vhost);
                WsClient again = WsClient.connect(edge, Edge.token(Edge.newUser()), null);
                assertTrue(again.next("hello").get("session").asText().length() == 22);
                again.close();
                bystander.close();
            }
        } finally {
            Broker.ctl("delete_vhost", vhost);
        }
    }

    private static long channels(String vhost) throws Exception {
        return Broker.ctl("list_channels", "-q", "--no-table-headers", "vhost")
                .lines()
                .filter(l -> l.trim().equals(vhost))
                .count();
    }
}
