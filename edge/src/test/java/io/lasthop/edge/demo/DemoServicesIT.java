package io.lasthop.edge.demo;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.lasthop.edge.amqp.Topology;
import io.lasthop.edge.auth.DevTokens;
import io.lasthop.edge.config.Settings;
import io.lasthop.edge.testing.Await;
import io.lasthop.edge.testing.Broker;
import io.lasthop.edge.testing.Edge;
import io.lasthop.edge.testing.WsClient;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The demo services against the real broker. Each test runs in a virtual host of its own: a
 * broker that never saw an edge has none of the Lasthop exchanges, which no test may take away from
 * the virtual host the other tests share, and the demo's chat queue has a fixed, exclusive name.
 */
class DemoServicesIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT_QUEUE = "lasthop.demo.chat";

    private VirtualHost vhost;

    @BeforeEach
    void createVirtualHost() throws Exception {
        vhost = VirtualHost.create();
    }

    @AfterEach
    void deleteVirtualHost() throws Exception {
        vhost.close();
    }

    /** Issue 11, finding 9: the demo starts before the edge has declared anything. */
    @Test
    void startsOnABrokerThatNeverSawAnEdge() throws Exception {
        try (DemoServices demo = DemoServices.start(vhost.uri());
                Connection c = vhost.connect()) {
            Channel ch = c.createChannel();
            Tap prices = Tap.on(ch, AmqpNames.TOPIC_EXCHANGE, "prices.*");
            Tap chat = Tap.on(ch, AmqpNames.TOPIC_EXCHANGE, "chat.*");
            send(ch, "chat.lobby", "alice", "application/json", "{\"text\":\"first\"}");

            JsonNode relayed = chat.nextJson();
            assertEquals("lobby", relayed.get("room").asText());
            assertEquals("alice", relayed.get("user").asText());
            assertEquals("first", relayed.get("text").asText());
            assertTrue(prices.nextJson().has("symbol"), "the ticker publishes once the exchange exists");

            // The edge declares after the demo: a single argument of its own would be refused (406).
            new Topology().declare(c::createChannel);
            send(ch, "chat.lobby", "alice", "application/json", "{\"text\":\"second\"}");
            assertEquals("second", chat.nextJson().get("text").asText());
        }
    }

    /** Issue 11, finding 8: one body that is not JSON used to close the relay's channel for good. */
    @Test
    void chatRelayRejectsAMessageThatIsNotJsonAndKeepsRelaying() throws Exception {
        try (Connection c = vhost.connect()) {
            Channel ch = c.createChannel();
            new Topology().declare(c::createChannel);
            try (DemoServices demo = DemoServices.start(vhost.uri())) {
                Tap chat = Tap.on(ch, AmqpNames.TOPIC_EXCHANGE, "chat.*");
                send(ch, "chat.lobby", "mallory", "text/plain", "x");
                send(ch, "chat.lobby", "mallory", "application/json", "[1,2]");
                send(ch, "chat.lobby", "mallory", "application/json", "{\"text\":\"   \"}");
                send(ch, "chat.lobby", "alice", "application/json", "{\"text\":\"still here\"}");

                JsonNode relayed = chat.nextJson();
                assertEquals("alice", relayed.get("user").asText(), "only the good message is relayed: " + relayed);
                assertEquals("still here", relayed.get("text").asText());
                // Rejected, not requeued: a requeued message would stay in the queue, coming back forever.
                Await.until(
                        () -> vhost.messagesIn(CHAT_QUEUE) == 0,
                        Duration.ofSeconds(20),
                        "the bad messages to leave " + CHAT_QUEUE);
                send(ch, "chat.lobby", "alice", "application/json", "{\"text\":\"and again\"}");
                assertEquals("and again", chat.nextJson().get("text").asText());
            }
        }
    }

    /** Both findings as a developer meets them: {@code --dev} on a new broker, a browser that sends text. */
    @Test
    void devEdgeOnANewBrokerRelaysChatAfterATextMessage() throws Exception {
        String user = Edge.newUser();
        String token = DevTokens.mintForDemo(DevTokens.DEV_SECRET.getBytes(UTF_8), user, Duration.ofMinutes(10));
        try (Edge edge = new Edge(c -> c.set(Settings.DEV, true)
                        .set(Settings.JWT_HS256_SECRET, null)
                        .set(Settings.AMQP_URI, vhost.uri()));
                WsClient ws = WsClient.connect(edge, token, null)) {
            ws.next("hello");
            ws.send("{\"t\":\"sub\",\"ref\":1,\"topic\":\"chat.lobby\"}");
            assertEquals(1, ws.next("ok").get("ref").asInt());
            ws.send("{\"t\":\"send\",\"ref\":2,\"key\":\"chat.lobby\",\"enc\":\"text\",\"body\":\"x\"}");
            assertEquals(2, ws.next("ok").get("ref").asInt(), "the demo's relay queue takes the send");
            ws.send("{\"t\":\"send\",\"ref\":3,\"key\":\"chat.lobby\",\"body\":{\"text\":\"hi\"}}");

            List<JsonNode> frames = new ArrayList<>(List.of(ws.nextAny(), ws.nextAny()));
            JsonNode ok = frames.stream()
                    .filter(f -> "ok".equals(f.path("t").asText()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no ok for the second send: " + frames));
            assertEquals(3, ok.get("ref").asInt());
            JsonNode msg = frames.stream()
                    .filter(f -> "msg".equals(f.path("t").asText()))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("the chat message was not relayed: " + frames));
            assertEquals("chat.lobby", msg.get("key").asText());
            assertEquals(user, msg.get("body").get("user").asText());
            assertEquals("hi", msg.get("body").get("text").asText());
        }
    }

    /** Publishes as the edge publishes a browser's send: the verified user in a header. */
    private static void send(Channel ch, String key, String user, String contentType, String body) throws IOException {
        ch.basicPublish(
                AmqpNames.INBOUND_EXCHANGE,
                key,
                new AMQP.BasicProperties.Builder()
                        .messageId(UUID.randomUUID().toString())
                        .contentType(contentType)
                        .deliveryMode(2)
                        .headers(Map.of(AmqpNames.USER_HEADER, user))
                        .build(),
                body.getBytes(UTF_8));
    }

    /** Records the deliveries of a throwaway queue bound to an exchange. */
    private static final class Tap {
        private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

        static Tap on(Channel ch, String exchange, String key) throws IOException {
            Tap tap = new Tap();
            String q = ch.queueDeclare("", false, true, true, Map.of()).getQueue();
            ch.queueBind(q, exchange, key);
            ch.basicConsume(q, true, (tag, d) -> tap.deliveries.add(d), tag -> {});
            return tap;
        }

        JsonNode nextJson() throws Exception {
            Delivery d = deliveries.poll(Broker.timeout().toMillis(), TimeUnit.MILLISECONDS);
            if (d == null) {
                throw new AssertionError(
                        "nothing arrived within " + Broker.timeout().toMillis() + " ms");
            }
            return JSON.readTree(d.getBody());
        }
    }

    /**
     * A virtual host of the test's own on the shared broker, made and removed with rabbitmqctl, which
     * must run on the broker's machine.
     */
    private static final class VirtualHost implements AutoCloseable {
        private final String name;

        private VirtualHost(String name) {
            this.name = name;
        }

        static VirtualHost create() throws Exception {
            new Broker().close(); // fails with how to start RabbitMQ when it is not running
            VirtualHost v = new VirtualHost("lasthop-demo-it-" + UUID.randomUUID());
            ctl("add_vhost", v.name);
            try {
                ctl("set_permissions", "-p", v.name, "guest", ".*", ".*", ".*");
            } catch (Exception | AssertionError e) {
                v.close();
                throw e;
            }
            return v;
        }

        String uri() {
            URI shared = URI.create(Broker.URI);
            return shared.getScheme() + "://" + shared.getRawAuthority() + "/" + URLEncoder.encode(name, UTF_8);
        }

        Connection connect() throws Exception {
            ConnectionFactory f = new ConnectionFactory();
            f.setUri(uri());
            f.setAutomaticRecoveryEnabled(false);
            return f.newConnection("lasthop-test " + name);
        }

        /** Ready and unacknowledged messages of a queue; -1 when it does not exist. */
        int messagesIn(String queue) {
            try {
                for (String line : ctl("list_queues", "-p", name, "--quiet", "--no-table-headers", "name", "messages")
                        .split("\n")) {
                    String[] cols = line.trim().split("\\s+");
                    if (cols.length == 2 && cols[0].equals(queue)) {
                        return Integer.parseInt(cols[1]);
                    }
                }
                return -1;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        }

        @Override
        public void close() throws Exception {
            ctl("delete_vhost", name);
        }

        private static String ctl(String... args) throws IOException, InterruptedException {
            List<String> cmd = new ArrayList<>(List.of("rabbitmqctl"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("rabbitmqctl " + String.join(" ", args) + " did not finish within 60 s");
            }
            String out = new String(p.getInputStream().readAllBytes(), UTF_8);
            if (p.exitValue() != 0) {
                throw new AssertionError(
                        "rabbitmqctl " + String.join(" ", args) + " failed (" + p.exitValue() + "): " + out);
            }
            return out;
        }
    }
}
