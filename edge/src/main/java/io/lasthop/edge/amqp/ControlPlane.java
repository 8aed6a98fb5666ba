package io.lasthop.edge.amqp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Edge-to-edge messages, through the broker like everything else: a topic exchange
 * {@value #EXCHANGE} and one queue per node, bound to {@code node.<id>} and {@code all}. Used when a
 * request reaches a node that does not hold its session: client frames are forwarded to the holder
 * (acks must reach the channel that holds the deliveries), and a holder is asked to release a
 * session that moved. Messages are hints with no ack: one lost to a broker outage only means the
 * session moves when the old connection times out, and its deliveries come again.
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    public static final String EXCHANGE = "lasthop.control";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long RETRY_MS = 1_000;

    /**
     * One control message.
     *
     * @param op         {@code frames} (apply {@code frames} to the session) or {@code release}
     *                   (close the session so another node can take it)
     * @param queue      the session's queue: derived from the verified user, so a message can only
     *                   name a session of the user who sent the request
     * @param connection the connection it is meant for; null to match any
     * @param frames     for {@code frames}: client frames as a POST carries them, one or an array
     * @param from       the sending node, which ignores its own broadcasts
     */
    public record Message(String op, String queue, String connection, String frames, String from) {}

    private final ConnectionFactory factory;
    private final String nodeId;
    private final ScheduledExecutorService scheduler;
    private final Consumer<Message> handler;
    private volatile Connection connection;
    private volatile Channel channel;
    private volatile boolean closed;
    private final java.util.concurrent.ExecutorService sender = java.util.concurrent.Executors
            .newSingleThreadExecutor(new io.netty.util.concurrent.DefaultThreadFactory("lasthop-control", true));

    public ControlPlane(String uri, String nodeId, ScheduledExecutorService scheduler, Consumer<Message> handler) {
        factory = ConnectionFactories.of(uri);
        this.nodeId = nodeId;
        this.scheduler = scheduler;
        this.handler = handler;
    }

    public void start() {
        scheduler.execute(this::connect);
    }

    public String nodeId() {
        return nodeId;
    }

    private void connect() {
        if (closed) {
            return;
        }
        Connection c = null;
        try {
            c = factory.newConnection("lasthop-edge " + nodeId + " control");
            Channel ch = c.createChannel();
            ch.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
            String queue = ch.queueDeclare("lasthop.node." + nodeId, false, true, true, Map.of()).getQueue();
            ch.queueBind(queue, EXCHANGE, "node." + nodeId);
            ch.queueBind(queue, EXCHANGE, "all");
            DeliverCallback onMessage = (tag, delivery) -> receive(delivery.getBody());
            ch.basicConsume(queue, true, onMessage, tag -> { });
            c.addShutdownListener(cause -> {
                if (!closed && !cause.isInitiatedByApplication()) {
                    log.warn("control connection lost: {}", cause.getMessage());
                    scheduler.schedule(this::connect, RETRY_MS, TimeUnit.MILLISECONDS);
                }
            });
            connection = c;
            channel = ch;
        } catch (IOException | TimeoutException e) {
            if (c != null) {
                // e.g. another node with the same node.id holds the exclusive queue
                c.abort(1_000);
            }
            log.warn("control connection failed ({}); retrying", e.toString());
            scheduler.schedule(this::connect, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Sends to one node, or to every node when {@code node} is null. Never blocks the caller: a
     * broker that blocks publishing connections (memory alarm) must not stall an event loop.
     */
    public void send(String node, Message m) {
        try {
            sender.execute(() -> publish(node, m));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("control plane closed; dropping {} for {}", m.op(), m.queue());
        }
    }

    private void publish(String node, Message m) {
        Channel ch = channel;
        if (ch == null || !ch.isOpen()) {
            log.debug("control plane down; dropping {} for {}", m.op(), m.queue());
            return;
        }
        ObjectNode body = JSON.createObjectNode().put("op", m.op()).put("queue", m.queue()).put("from", nodeId);
        if (m.connection() != null) {
            body.put("connection", m.connection());
        }
        if (m.frames() != null) {
            body.put("frames", m.frames());
        }
        try {
            ch.basicPublish(EXCHANGE, node == null ? "all" : "node." + node, false,
                    new AMQP.BasicProperties.Builder().contentType("application/json").build(),
                    body.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            log.debug("control publish failed: {}", e.toString());
        }
    }

    private void receive(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            JsonNode connection = n.get("connection");
            JsonNode frames = n.get("frames");
            String from = n.path("from").asText();
            if (from.equals(nodeId)) {
                return;
            }
            handler.accept(new Message(n.path("op").asText(), n.path("queue").asText(),
                    connection == null ? null : connection.asText(), frames == null ? null : frames.asText(), from));
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable control message: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        sender.shutdown();
        Connection c = connection;
        if (c != null) {
            try {
                c.close(2_000);
            } catch (IOException | RuntimeException e) {
                log.debug("closing control connection: {}", e.toString());
            }
        }
    }
}
