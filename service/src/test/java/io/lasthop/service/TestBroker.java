package io.lasthop.service;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.Delivery;
import io.lasthop.protocol.AmqpNames;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The real RabbitMQ these tests run against, with the exchanges declared exactly as an edge declares
 * them (a different argument would make the broker refuse the edge's declare). Never skips: without
 * a broker, tests fail with how to start one.
 */
final class TestBroker implements AutoCloseable {
    static final String URI =
            System.getenv().getOrDefault("LASTHOP_TEST_AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/%2F");
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    final Connection connection;
    private final Channel channel;

    TestBroker() throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(URI);
        factory.setAutomaticRecoveryEnabled(false);
        try {
            connection = factory.newConnection("lasthop-service-test");
        } catch (IOException | TimeoutException e) {
            throw new IllegalStateException(
                    "RabbitMQ is not reachable at " + URI + " (" + e + ").\n"
                            + "These tests need a real broker. Start one with:\n"
                            + "    rabbitmq-server -detached && rabbitmqctl await_startup\n"
                            + "or point LASTHOP_TEST_AMQP_URI at one.",
                    e);
        }
        channel = connection.createChannel();
        channel.exchangeDeclare(AmqpNames.OFFLINE_EXCHANGE, BuiltinExchangeType.FANOUT, true);
        channel.exchangeDeclare(
                AmqpNames.USER_EXCHANGE,
                BuiltinExchangeType.DIRECT,
                true,
                false,
                Map.of("alternate-exchange", AmqpNames.OFFLINE_EXCHANGE));
        channel.exchangeDeclare(AmqpNames.TOPIC_EXCHANGE, BuiltinExchangeType.TOPIC, true);
    }

    /** A throwaway exclusive queue bound to {@code exchange} with {@code key}, recording what arrives. */
    Tap tap(String exchange, String key) throws IOException {
        String q = channel.queueDeclare("", false, true, true, Map.of()).getQueue();
        channel.queueBind(q, exchange, key);
        return new Tap(q);
    }

    /** A throwaway exclusive queue of the given name, standing in for a session queue. */
    Tap queue(String name, Map<String, Object> args) throws IOException {
        channel.queueDeclare(name, false, true, true, args);
        return new Tap(name);
    }

    Channel channel() {
        return channel;
    }

    /** Records deliveries of one queue in order; {@link #next()} waits for one with a deadline. */
    final class Tap {
        final String queue;
        private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();

        private Tap(String queue) throws IOException {
            this.queue = queue;
            channel.basicConsume(queue, true, (tag, d) -> deliveries.add(d), tag -> {});
        }

        Delivery next() throws InterruptedException {
            Delivery d = deliveries.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (d == null) {
                throw new AssertionError("nothing arrived in " + queue + " within " + TIMEOUT.toMillis() + " ms");
            }
            return d;
        }
    }

    @Override
    public void close() throws IOException {
        if (connection.isOpen()) {
            connection.close();
        }
    }
}
