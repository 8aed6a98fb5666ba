package io.lasthop.edge.amqp;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.util.Map;

/**
 * The exchanges and queues every edge declares at start. Declarations are idempotent, so every node
 * declares them; changing an argument here requires deleting the old entity first, or the broker
 * refuses the declare (406).
 */
public final class Topology {
    /** The offline and dead-letter queues keep at most this many messages, dropping the oldest. */
    public static final int SIDE_QUEUE_MAX_LENGTH = 100_000;

    public void declare(Channel ch) throws IOException {
        ch.exchangeDeclare(AmqpNames.OFFLINE_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        ch.exchangeDeclare(AmqpNames.USER_EXCHANGE, BuiltinExchangeType.DIRECT, true, false,
                Map.of("alternate-exchange", AmqpNames.OFFLINE_EXCHANGE));
        ch.exchangeDeclare(AmqpNames.TOPIC_EXCHANGE, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(AmqpNames.INBOUND_EXCHANGE, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(AmqpNames.DEAD_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        ch.exchangeDeclare(AmqpNames.CONTROL_EXCHANGE, BuiltinExchangeType.TOPIC, true);
        ch.exchangeDeclare(AmqpNames.REVOKE_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        ch.exchangeDeclare(AmqpNames.EVENTS_EXCHANGE, BuiltinExchangeType.TOPIC, true);
        Map<String, Object> bounded = Map.of("x-max-length", SIDE_QUEUE_MAX_LENGTH, "x-overflow", "drop-head");
        ch.queueDeclare(AmqpNames.OFFLINE_QUEUE, true, false, false, bounded);
        ch.queueBind(AmqpNames.OFFLINE_QUEUE, AmqpNames.OFFLINE_EXCHANGE, "");
        ch.queueDeclare(AmqpNames.DEAD_QUEUE, true, false, false, bounded);
        ch.queueBind(AmqpNames.DEAD_QUEUE, AmqpNames.DEAD_EXCHANGE, "");
    }
}
