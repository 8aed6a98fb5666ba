package io.lasthop.edge.cluster;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import io.lasthop.edge.amqp.AmqpMessages;
import io.lasthop.edge.amqp.BrokerEndpoint;
import io.lasthop.edge.amqp.ReconnectingConnection;
import io.lasthop.protocol.AmqpNames;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Messages to edge nodes, through the broker like everything else: one queue per node, bound to
 * the topic exchange {@code lasthop.control} with {@code node.<id>} and {@code all} for messages
 * between nodes, and to the fanout exchange {@code lasthop.revoke} for revocations from services
 * (their own exchange, so a service may write there and nowhere else); consumed without acks (see
 * {@link ControlMessage}).
 */
public final class ControlPlane implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlPlane.class);
    private static final String EXCHANGE = AmqpNames.CONTROL_EXCHANGE;

    private final String nodeId;
    private final Consumer<ControlMessage> handler;
    private final ReconnectingConnection connection;
    private final ExecutorService sender =
            Executors.newSingleThreadExecutor(new DefaultThreadFactory("lasthop-control", true));
    private volatile Channel channel;

    /** @param handler receives other nodes' messages, on an amqp-client thread */
    ControlPlane(
            BrokerEndpoint broker,
            String nodeId,
            ScheduledExecutorService scheduler,
            Consumer<ControlMessage> handler) {
        this.nodeId = nodeId;
        this.handler = handler;
        this.connection = new ReconnectingConnection(
                broker, nodeId.hashCode() + 1, "lasthop-edge " + nodeId + " control", null, scheduler, this::consume);
    }

    void start() {
        connection.start();
    }

    private void consume(Connection c) throws IOException {
        Channel ch = c.createChannel();
        ch.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(AmqpNames.REVOKE_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        // Exclusive: a second node started with the same node.id fails here, and keeps retrying.
        String queue = ch.queueDeclare("lasthop.node." + nodeId, false, true, true, Map.of())
                .getQueue();
        ch.queueBind(queue, EXCHANGE, "node." + nodeId);
        ch.queueBind(queue, EXCHANGE, "all");
        ch.queueBind(queue, AmqpNames.REVOKE_EXCHANGE, "");
        DeliverCallback onMessage =
                (tag, delivery) -> receive(delivery.getEnvelope().getExchange(), delivery.getBody());
        ch.basicConsume(queue, true, onMessage, tag -> {});
        channel = ch;
    }

    /**
     * Sends to one node, or to every node when {@code node} is null. Never blocks the caller: a
     * broker that blocks publishing connections (memory alarm) must not stall an event loop.
     */
    void send(String node, ControlMessage.ForSession m) {
        try {
            sender.execute(() -> publish(node, m));
        } catch (RejectedExecutionException e) {
            log.debug("control plane closed; dropping {}", m);
        }
    }

    private void publish(String node, ControlMessage.ForSession m) {
        Channel ch = channel;
        if (ch == null || !ch.isOpen()) {
            log.debug("control plane down; dropping {}", m);
            return;
        }
        try {
            ch.basicPublish(
                    EXCHANGE,
                    node == null ? "all" : "node." + node,
                    false,
                    AmqpMessages.properties(null, "application/json", false, null)
                            .build(),
                    ControlCodec.encode(m));
        } catch (IOException | RuntimeException e) {
            log.debug("control publish failed: {}", e.toString());
        }
    }

    private void receive(String exchange, byte[] body) {
        try {
            if (exchange.equals(AmqpNames.REVOKE_EXCHANGE)) {
                handler.accept(ControlCodec.decodeRevoke(body));
                return;
            }
            ControlMessage.ForSession m = ControlCodec.decode(body);
            if (!m.from().equals(nodeId)) {
                handler.accept(m);
            }
        } catch (IOException | RuntimeException e) {
            log.warn("unreadable message from {}: {}", exchange, e.toString());
        }
    }

    @Override
    public void close() {
        sender.shutdown();
        connection.close();
    }
}
