package io.lasthop.edge.amqp;

import com.rabbitmq.client.AlreadyClosedException;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exchanges and queues every edge declares at start. Declarations are idempotent, so every node
 * declares them; changing an argument here requires deleting the old entity first, or the broker
 * refuses the declare (406).
 */
public final class Topology {
    private static final Logger log = LoggerFactory.getLogger(Topology.class);
    /** The offline and dead-letter queues keep at most this many messages, dropping the oldest. */
    public static final int SIDE_QUEUE_MAX_LENGTH = 100_000;

    /** Opens a channel for one step: a refused declare closes the channel it was made on. */
    @FunctionalInterface
    public interface Channels {
        Channel open() throws IOException;
    }

    /**
     * Declares the exchanges, which the edge cannot work without, then the side queues, which it
     * can: on a cluster, a side queue whose node is down refuses even a declare (404) until the node
     * returns, and that must not keep the edge from serving sessions on the other nodes.
     */
    public void declare(Channels channels) throws IOException, TimeoutException {
        try (Channel ch = channels.open()) {
            declareExchanges(ch);
        }
        for (String[] side : new String[][] {
            {AmqpNames.OFFLINE_QUEUE, AmqpNames.OFFLINE_EXCHANGE}, {AmqpNames.DEAD_QUEUE, AmqpNames.DEAD_EXCHANGE}
        }) {
            try (Channel ch = channels.open()) {
                ch.queueDeclare(side[0], true, false, false, SIDE_QUEUE_ARGUMENTS);
                ch.queueBind(side[0], side[1], "");
            } catch (IOException | AlreadyClosedException e) {
                log.warn(
                        "queue {} is not available ({}); what {} receives is dropped until it is",
                        side[0],
                        e.getCause() == null ? e.toString() : e.getCause().getMessage(),
                        side[1]);
            }
        }
    }

    private static final Map<String, Object> SIDE_QUEUE_ARGUMENTS =
            Map.of("x-max-length", SIDE_QUEUE_MAX_LENGTH, "x-overflow", "drop-head");

    private static void declareExchanges(Channel ch) throws IOException {
        ch.exchangeDeclare(AmqpNames.OFFLINE_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        ch.exchangeDeclare(
                AmqpNames.USER_EXCHANGE,
                BuiltinExchangeType.DIRECT,
                true,
                false,
                Map.of("alternate-exchange", AmqpNames.OFFLINE_EXCHANGE));
        ch.exchangeDeclare(AmqpNames.TOPIC_EXCHANGE, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(AmqpNames.INBOUND_EXCHANGE, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(AmqpNames.DEAD_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        ch.exchangeDeclare(AmqpNames.CONTROL_EXCHANGE, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(AmqpNames.REVOKE_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        ch.exchangeDeclare(AmqpNames.EVENTS_EXCHANGE, BuiltinExchangeType.TOPIC, true);
    }
}
