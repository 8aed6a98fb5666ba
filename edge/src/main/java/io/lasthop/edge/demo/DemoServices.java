package io.lasthop.edge.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The services behind the /demo page, as any service would be written: a stock AMQP client on a
 * connection of its own, nothing from the edge. A ticker publishes prices to {@code lasthop.topic}
 * ({@code prices.SYMBOL}); a chat relay consumes what browsers send to {@code chat.ROOM} on
 * {@code lasthop.inbound} and publishes it, with the verified sender, to {@code chat.ROOM} on
 * {@code lasthop.topic}. Started by dev mode only.
 */
public final class DemoServices implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DemoServices.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT_QUEUE = "lasthop.demo.chat";

    private final Connection connection;
    private final Channel ticker;
    private final Channel relay;
    private final ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lasthop-demo-ticker");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, Double> prices = new LinkedHashMap<>(Map.of("AAPL", 190.0, "AMZN", 180.0, "MSFT", 420.0));
    private final Random random = new Random(42);

    private DemoServices(Connection connection) throws IOException {
        this.connection = connection;
        this.ticker = connection.createChannel();
        this.relay = connection.createChannel();
    }

    public static DemoServices start(String amqpUri) throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setUri(amqpUri);
        DemoServices demo = new DemoServices(f.newConnection("lasthop-demo"));
        try {
            // The edge declares its topology on a connection of its own, maybe after this runs: on a
            // broker that never saw an edge, the bind below would fail (404) and the ticker's channel
            // would close at its first publish. Like any service, declare what the demo uses, with
            // exactly the arguments of amqp/Topology, so that either declare accepts the other's.
            demo.relay.exchangeDeclare(AmqpNames.INBOUND_EXCHANGE, BuiltinExchangeType.TOPIC, true);
            demo.relay.exchangeDeclare(AmqpNames.TOPIC_EXCHANGE, BuiltinExchangeType.TOPIC, true);
            demo.relay.queueDeclare(CHAT_QUEUE, false, true, true, Map.of());
            demo.relay.queueBind(CHAT_QUEUE, AmqpNames.INBOUND_EXCHANGE, "chat.*");
            demo.relay.basicConsume(CHAT_QUEUE, false, (tag, d) -> demo.relayChat(d), tag -> {});
        } catch (IOException | RuntimeException e) {
            demo.close();
            throw e;
        }
        demo.clock.scheduleAtFixedRate(demo::tick, 1, 1, TimeUnit.SECONDS);
        log.info("demo services: ticker on lasthop.topic prices.*, chat relay on lasthop.inbound chat.*");
        return demo;
    }

    private void tick() {
        try {
            for (Map.Entry<String, Double> e : prices.entrySet()) {
                double price = Math.max(1, e.getValue() * (1 + random.nextGaussian() * 0.002));
                e.setValue(price);
                ObjectNode body = JSON.createObjectNode()
                        .put("symbol", e.getKey())
                        .put("price", Math.round(price * 100) / 100.0)
                        .put("at", System.currentTimeMillis());
                publish(ticker, "prices." + e.getKey(), body);
            }
        } catch (IOException | RuntimeException ex) {
            log.warn("demo ticker: {}", ex.toString());
        }
    }

    private void relayChat(Delivery d) throws IOException {
        long tag = d.getEnvelope().getDeliveryTag();
        String room = d.getEnvelope().getRoutingKey().substring("chat.".length());
        ObjectNode out = chatMessage(room, d);
        if (out == null) {
            // Not requeued, or it would come straight back. And not thrown: amqp-client would close the
            // channel, and with its only consumer gone the auto-delete queue, so every later chat send
            // would be unroutable.
            relay.basicReject(tag, false);
            return;
        }
        publish(relay, "chat." + room, out);
        relay.basicAck(tag, false);
    }

    /** The message to relay, or null when the sender is unknown or the body is not {@code {"text": …}}. */
    private static ObjectNode chatMessage(String room, Delivery d) {
        Object user = d.getProperties().getHeaders() == null
                ? null
                : d.getProperties().getHeaders().get(AmqpNames.USER_HEADER);
        JsonNode in;
        try {
            in = JSON.readTree(d.getBody());
        } catch (IOException e) {
            return null;
        }
        String text = in.path("text").asText("");
        if (user == null || text.isBlank()) {
            return null;
        }
        return JSON.createObjectNode()
                .put("room", room)
                .put("user", user.toString())
                .put("text", text.length() > 500 ? text.substring(0, 500) : text)
                .put("at", System.currentTimeMillis());
    }

    private static void publish(Channel ch, String topic, ObjectNode body) throws IOException {
        ch.basicPublish(
                AmqpNames.TOPIC_EXCHANGE,
                topic,
                new AMQP.BasicProperties.Builder()
                        .messageId(UUID.randomUUID().toString())
                        .contentType("application/json")
                        .timestamp(new Date())
                        .build(),
                body.toString().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        clock.shutdownNow();
        try {
            connection.close(2_000);
        } catch (IOException | RuntimeException e) {
            log.debug("closing demo services: {}", e.toString());
        }
    }
}
